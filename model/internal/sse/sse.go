// Package sse reads server-sent events, as the model providers stream them:
// "event:" and "data:" fields, events ended by a blank line, comments (":")
// ignored. It copies nothing it does not have to: an event's data is valid
// until the next call of Next.
package sse

import (
	"bufio"
	"bytes"
	"io"
)

// MaxEvent is the longest event line read (a tool call's arguments arrive in
// small deltas; a line longer than this is an error).
const MaxEvent = 4 << 20

// Reader reads events.
type Reader struct {
	br    *bufio.Reader
	event []byte
	data  []byte
	err   error
}

// NewReader returns a reader of r.
func NewReader(r io.Reader) *Reader { return &Reader{br: bufio.NewReaderSize(r, 16<<10)} }

// Next reads the next event with data; false at the end of the stream or on
// an error (Err).
func (r *Reader) Next() bool {
	r.event, r.data = r.event[:0], r.data[:0]
	has := false
	for {
		line, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line: gather it.
			long := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull && len(long) < MaxEvent {
				line, err = r.br.ReadSlice('\n')
				long = append(long, line...)
			}
			if err == bufio.ErrBufferFull {
				r.err = io.ErrShortBuffer
				return false
			}
			line = long
		}
		if len(line) == 0 && err != nil {
			if err != io.EOF {
				r.err = err
			} else if has {
				return true // the last event, without its blank line
			}
			return false
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if has {
				return true
			}
			r.event = r.event[:0] // an event without data is not dispatched
			continue
		}
		if line[0] == ':' {
			continue
		}
		name, value, _ := bytes.Cut(line, []byte{':'})
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
		switch string(name) {
		case "event":
			r.event = append(r.event, value...)
		case "data":
			if has {
				r.data = append(r.data, '\n')
			}
			r.data = append(r.data, value...)
			has = true
		}
		if err != nil && err != io.EOF {
			r.err = err
			return false
		}
	}
}

// Event is the event's type ("" when it has none).
func (r *Reader) Event() []byte { return r.event }

// Data is the event's data.
func (r *Reader) Data() []byte { return r.data }

// Err is the error that ended the stream, nil at its end.
func (r *Reader) Err() error { return r.err }
