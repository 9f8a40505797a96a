package redis

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// An owner's list is a sorted set whose scores are all 0, so that Redis
// orders it by member, byte by byte: a member is rank(Updated) followed by
// the conversation's id. rank is 8 bytes that sort the newer time first,
// so the set in ascending order is the list newest first, equal times by
// id, and a page is one ZRANGEBYLEX after the last member of the previous
// page: a keyset cursor that never repeats nor skips an entry, whatever
// the ties.

// rank is ms as 8 bytes whose byte order is the reverse of the times'.
func rank(ms int64) []byte {
	// Flipping the sign bit orders int64s as uint64s; inverting every bit
	// reverses that order.
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), ^(uint64(ms) ^ 1<<63))
}

// member is the list entry of conversation id updated at ms.
func member(ms int64, id string) string { return string(rank(ms)) + id }

// A cursor is base64url of the member of the last entry of a page, opaque
// to callers. Any member is a valid start for ZRANGEBYLEX, even one the
// store did not write.

func encodeCursor(m string) string { return base64.RawURLEncoding.EncodeToString([]byte(m)) }

var errCursor = errors.New("not a cursor List returned")

func decodeCursor(cursor string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) == 0 {
		return "", errCursor
	}
	return string(b), nil
}
