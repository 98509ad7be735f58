module riskwalk

go 1.26

require github.com/edsrzf/mmap-go v1.2.0

require (
	github.com/bits-and-blooms/bitset v1.29.0 // indirect
	golang.org/x/sys v0.0.0-20211216021012-1d35b9e2eb4e // indirect
)
