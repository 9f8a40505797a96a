package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/sqlite"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "sheen")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := sqlite.Open(filepath.Join(dir, "chat.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	ctx := context.Background()
	if err := s.Create(ctx, store.Conversation{ID: "c1", Owner: "alice", Title: "Hello"}); err != nil {
		log.Fatal(err)
	}
	// A streamed answer: appended as streaming, grown, then finished.
	s.Append(ctx, "c1", store.Message{ID: "m1", Role: "assistant", Status: store.StatusStreaming})
	s.AppendText(ctx, "c1", "m1", "Hi, ")
	s.AppendText(ctx, "c1", "m1", "Alice.")
	s.Update(ctx, "c1", store.Message{ID: "m1", Role: "assistant", Content: "Hi, Alice!"})

	c, ms, err := s.Get(ctx, "alice", "c1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Title)
	for _, m := range ms {
		fmt.Printf("%s: %s\n", m.Role, m.Content)
	}
	// Output:
	// Hello
	// assistant: Hi, Alice!
}
