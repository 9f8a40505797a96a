package chat_test

import (
	"context"

	"github.com/sheenhq/sheen/chat"
)

// streamContextCases are stream-context scenarios that the protocol test
// (TestStreamContexts) and the browser test run alike: each is a submit
// handler and the assistant messages it must leave, joined by "|".
var streamContextCases = []struct {
	name string
	run  func(ctx context.Context, c *chat.Chat) error
	want string // the assistant messages shown, joined by "|"
}{
	{"outer only", func(ctx context.Context, c *chat.Chat) error {
		sc, err := c.StreamContext(ctx)
		if err != nil {
			return err
		}
		sc.Append("Outer start")
		sc.Append("Outer end")
		sc.Close()
		return nil
	}, "Outer startOuter end"},
	{"inner replace", func(ctx context.Context, c *chat.Chat) error {
		sc, err := c.StreamContext(ctx)
		if err != nil {
			return err
		}
		sc.Append("Outer start")
		inner, err := c.StreamContext(ctx) // nested: the same message
		if err != nil {
			return err
		}
		inner.Append("Inner start")
		inner.Replace("Inner end")
		inner.Close()
		sc.Append("Outer end")
		sc.Close()
		return nil
	}, "Outer startInner endOuter end"},
	{"outer replace drops the inner text", func(ctx context.Context, c *chat.Chat) error {
		sc, err := c.StreamContext(ctx)
		if err != nil {
			return err
		}
		sc.Append("Outer start")
		inner := sc.Nested()
		inner.Append("Inner")
		inner.Close()
		sc.Replace("Replaced")
		sc.Close()
		return nil
	}, "Replaced"},
	{"an append waits for the outermost close", func(ctx context.Context, c *chat.Chat) error {
		sc, err := c.StreamContext(ctx)
		if err != nil {
			return err
		}
		sc.Append("Streamed")
		if err := c.AppendMessage(ctx, "After"); err != nil {
			return err
		}
		inner := sc.Nested()
		inner.Append(" more")
		inner.Close()
		sc.Close()
		return nil
	}, "Streamed more|After"},
	{"a context inside a stream writes into its message", func(ctx context.Context, c *chat.Chat) error {
		var scErr error
		st := c.AppendMessageStream(ctx, func(yield func(string, error) bool) {
			if !yield("Let me check. ", nil) {
				return
			}
			sc, err := c.StreamContext(ctx) // a tool call's progress, shinychat's way
			if err != nil {
				scErr = err
				return
			}
			sc.Append("Calling the tool…")
			sc.Replace("Sunny. ")
			sc.Close()
			yield("Done.", nil)
		})
		if _, err := st.Wait(ctx); err != nil {
			return err
		}
		return scErr
	}, "Let me check. Sunny. Done."},
}
