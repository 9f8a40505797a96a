//go:build amd64 || arm64

package goid

// getg returns the address of the calling goroutine's descriptor (the runtime's g).
//
//go:noescape
func getg() uintptr

// Current returns a token identifying the calling goroutine among live goroutines.
func Current() uintptr { return getg() }
