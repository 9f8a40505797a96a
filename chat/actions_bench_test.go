package chat_test

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkChatCut10000 measures what a cut costs on a long transcript: in
// a chat of 10,000 messages, each iteration appends a message and then
// deletes it (the delete copies the transcript's slice of headers, tells the
// page, and bumps the token mirror), beside "append" which appends and
// clears nothing. The difference is the delete's cost.
func BenchmarkChatCut10000(b *testing.B) {
	for _, del := range []bool{false, true} {
		name := "append"
		if del {
			name = "append+delete"
		}
		b.Run(name, func(b *testing.B) {
			r := newStreamRig(b)
			ctx := context.Background()
			for i := range 10_000 {
				if err := r.c.AppendMessage(ctx, fmt.Sprintf("message %d with a little **markdown**", i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := r.c.AppendMessage(ctx, "one more"); err != nil {
					b.Fatal(err)
				}
				if del {
					ms := r.c.Messages()
					r.c.DeleteMessage(ms[len(ms)-1].ID)
				}
			}
		})
	}
}
