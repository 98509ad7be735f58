//go:build !(amd64 || arm64 || 386 || arm || riscv64 || loong64 || ppc64le || mips64le || mipsle || wasm)

package secfile

// riskwalk files are little-endian and read in place; a big-endian build would misread them.
var _ = "riskwalk supports little-endian hosts only" + 1
