//go:build !amd64 && !arm64

package goid

import (
	"runtime"
)

// Current returns a token identifying the calling goroutine among live goroutines.
// On this architecture it is the goroutine number from the runtime's stack header.
func Current() uintptr {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	// "goroutine 123 [running]:"
	const prefix = "goroutine "
	var id uintptr
	for i := len(prefix); i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uintptr(c-'0')
	}
	return id
}
