//go:build !linux

package load

import (
	"errors"
	"net"
)

const stampsSupported = false

type arrivalConn struct {
	net.Conn
	frames
}

func newArrivalConn(*net.TCPConn) (*arrivalConn, error) {
	return nil, errors.New("load: no receive timestamps on this platform")
}
