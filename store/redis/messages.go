package redis

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/store"
)

// Append adds m at the end of conversation id, numbering it inside the
// script, and brings the conversation to the front of its owner's list.
// An empty Meta is read back as nil.
func (s *Store) Append(ctx context.Context, id string, m store.Message) error {
	if m.ID == "" {
		return fmt.Errorf("store/redis: append to %q: empty message id", id)
	}
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	_, err := s.run(ctx, appendScript, id, m.ID, encodeHeader(m.Created, m), m.Content)
	if err != nil {
		return fmt.Errorf("store/redis: append to %q: message %q: %w", id, m.ID, err)
	}
	s.writes.Add(1)
	s.contentBytes.Add(int64(len(m.Content)))
	s.rowBytes.Add(int64(len(m.Content)))
	return nil
}

// AppendText adds text to the end of message msgID of conversation id with
// APPEND: the message's text is not rewritten (see [Stats]).
func (s *Store) AppendText(ctx context.Context, id, msgID, text string) error {
	v, err := s.run(ctx, appendTextScript, id, msgID, text)
	if err != nil {
		return fmt.Errorf("store/redis: append text to %q: message %q: %w", id, msgID, err)
	}
	s.writes.Add(1)
	s.contentBytes.Add(int64(len(text)))
	if n, ok := v.(int64); ok {
		s.rowBytes.Add(n)
	}
	return nil
}

// Update replaces message m.ID's Role, Content, Status and Meta; its
// Created stays.
func (s *Store) Update(ctx context.Context, id string, m store.Message) error {
	full := encodeHeader(time.Now(), m)
	_, err := s.run(ctx, updateScript, id, m.ID, full[8:], m.Content, full[:8])
	if err != nil {
		return fmt.Errorf("store/redis: update in %q: message %q: %w", id, m.ID, err)
	}
	s.writes.Add(1)
	s.contentBytes.Add(int64(len(m.Content)))
	s.rowBytes.Add(int64(len(m.Content)))
	return nil
}

// DeleteMessages removes the messages of conversation id whose ids are in
// msgIDs, in one script.
func (s *Store) DeleteMessages(ctx context.Context, id string, msgIDs []string) error {
	args := make([]any, len(msgIDs))
	for i, m := range msgIDs {
		args[i] = m
	}
	if _, err := s.run(ctx, deleteMessagesScript, id, args...); err != nil {
		return fmt.Errorf("store/redis: delete messages in %q: %w", id, err)
	}
	s.writes.Add(1)
	return nil
}

// A message header, the value of field h:<seq>: Created (8 bytes, Unix ms,
// big-endian), the format version (1), Role and Status each as a uvarint
// length and bytes, then Meta, the rest. Created comes first so that
// Update's script keeps it without decoding the rest.
const headerVersion = 1

func encodeHeader(created time.Time, m store.Message) string {
	b := make([]byte, 0, 8+1+2*binary.MaxVarintLen64+len(m.Role)+len(m.Status)+len(m.Meta))
	b = binary.BigEndian.AppendUint64(b, uint64(created.UnixMilli()))
	b = append(b, headerVersion)
	b = binary.AppendUvarint(b, uint64(len(m.Role)))
	b = append(b, m.Role...)
	b = binary.AppendUvarint(b, uint64(len(m.Status)))
	b = append(b, m.Status...)
	return string(append(b, m.Meta...))
}

func decodeHeader(h string) (m store.Message, ok bool) {
	if len(h) < 9 || h[8] != headerVersion {
		return m, false
	}
	m.Created = time.UnixMilli(int64(binary.BigEndian.Uint64([]byte(h[:8])))).UTC()
	rest := []byte(h[9:])
	field := func() (string, bool) {
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > uint64(len(rest)-k) {
			return "", false
		}
		f := string(rest[k : k+int(n)])
		rest = rest[k+int(n):]
		return f, true
	}
	var ok1, ok2 bool
	m.Role, ok1 = field()
	m.Status, ok2 = field()
	if len(rest) > 0 {
		m.Meta = rest
	}
	return m, ok1 && ok2
}

// messagesOf assembles conversation id's messages from its msgs hash and the texts of its live messages, in append order,
// skipping (and logging) those that cannot be read.
func (s *Store) messagesOf(id string, fields map[string]string, live, texts []any) []store.Message {
	type entry struct {
		seq int64
		id  string
	}
	var order []entry
	for k, v := range fields {
		msgID, ok := strings.CutPrefix(k, "i:")
		if !ok {
			continue
		}
		seq, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.log.Error("store/redis: message number cannot be read; skipped", zap.String("conversation", id), zap.String("message", msgID))
			continue
		}
		order = append(order, entry{seq, msgID})
	}
	liveText := make(map[string]any, len(live))
	for i, seq := range live {
		if k, ok := seq.(string); ok && i < len(texts) {
			liveText[k] = texts[i]
		}
	}
	slices.SortFunc(order, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	ms := make([]store.Message, 0, len(order))
	for _, e := range order {
		seq := strconv.FormatInt(e.seq, 10)
		m, ok := decodeHeader(fields["h:"+seq])
		content, hasText := fields["t:"+seq]
		if t, isLive := liveText[seq]; isLive {
			content, hasText = t.(string)
		}
		if !ok || !hasText {
			s.log.Error("store/redis: message cannot be read; skipped",
				zap.String("conversation", id), zap.String("message", e.id), zap.Int64("seq", e.seq),
				zap.Bool("header", ok), zap.Bool("text", hasText))
			continue
		}
		m.ID, m.Content = e.id, content
		ms = append(ms, m)
	}
	return ms
}
