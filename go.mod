module riskwalk

go 1.26

require (
	github.com/cespare/xxhash/v2 v2.3.0
	github.com/edsrzf/mmap-go v1.2.0
	golang.org/x/sys v0.47.0
)
