package load

import (
	"encoding/binary"
	"io"
	"net"
	"syscall"
	"time"
)

const stampsSupported = true

// arrivalConn is a TCP connection whose reads ask the kernel for the time
// the bytes they return arrived (SO_TIMESTAMPNS; for TCP, the time of the
// last segment a read takes) and read no further than the end of the
// current WebSocket frame, so that each frame's time is its own.
type arrivalConn struct {
	*net.TCPConn
	raw syscall.RawConn
	oob []byte
	frames
}

func newArrivalConn(c *net.TCPConn) (*arrivalConn, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil {
		return nil, err
	}
	if serr != nil {
		return nil, serr
	}
	ac := &arrivalConn{TCPConn: c, raw: raw, oob: make([]byte, syscall.CmsgSpace(16))}
	ac.inHTTP = true
	return ac, nil
}

func (c *arrivalConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b := p[:min(len(p), c.want())]
	var n, oobn int
	var rerr error
	err := c.raw.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = syscall.Recvmsg(int(fd), b, c.oob, 0)
		return rerr != syscall.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	}
	if n == 0 {
		return 0, io.EOF
	}
	c.feed(b[:n], stamp(c.oob[:oobn]))
	return n, nil
}

// stamp returns the SCM_TIMESTAMPNS time in the control message oob, or
// the time now if there is none.
func stamp(oob []byte) time.Time {
	const hdr = 16 // struct cmsghdr on 64-bit Linux: len, level, type
	for len(oob) >= hdr {
		l := int(binary.NativeEndian.Uint64(oob))
		level, typ := int32(binary.NativeEndian.Uint32(oob[8:])), int32(binary.NativeEndian.Uint32(oob[12:]))
		if l < hdr || l > len(oob) {
			break
		}
		if level == syscall.SOL_SOCKET && typ == syscall.SCM_TIMESTAMPNS && l >= hdr+16 {
			sec, nsec := int64(binary.NativeEndian.Uint64(oob[hdr:])), int64(binary.NativeEndian.Uint64(oob[hdr+8:]))
			return time.Unix(sec, nsec)
		}
		oob = oob[min(syscall.CmsgSpace(l-hdr), len(oob)):]
	}
	return time.Now()
}
