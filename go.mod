module riskwalk

go 1.26.0

require (
	github.com/VictoriaMetrics/fastcache v1.13.0
	github.com/bits-and-blooms/bitset v1.29.0
	github.com/edsrzf/mmap-go v1.2.0
	github.com/valyala/fasthttp v1.74.0
	golang.org/x/image v0.47.0
	golang.org/x/sys v0.49.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/golang/snappy v1.0.0 // indirect
	github.com/klauspost/compress v1.20.0 // indirect
	github.com/molecule-man/go-brrr v1.0.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
)
