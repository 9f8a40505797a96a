package sqlite

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// A cursor is the position of the last conversation of a page, its Updated
// time and id, opaque to callers: base64url of 8 bytes of Unix milliseconds
// (big-endian) and then the id's bytes.

func encodeCursor(updated int64, id string) string {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(id)), uint64(updated))
	return base64.RawURLEncoding.EncodeToString(append(b, id...))
}

var errCursor = errors.New("not a cursor List returned")

func decodeCursor(cursor string) (updated int64, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) <= 8 {
		return 0, "", errCursor
	}
	return int64(binary.BigEndian.Uint64(b)), string(b[8:]), nil
}
