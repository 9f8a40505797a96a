package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/sqlite"
)

// crashEnv, set in a child process, names the file TestCrash's child writes
// to and the conversation it writes in.
const crashEnv = "SHEEN_SQLITE_CRASH_CHILD"

// crashChunks is how many AppendText calls grow each message.
const crashChunks = 8

// crashChunk is the k-th piece (1-based) of message i: large, so that a
// kill lands inside a write more often than between two.
func crashChunk(i, k int) string {
	return strings.Repeat(string(rune('a'+k%26)), 8<<10) + fmt.Sprintf("<%d.%d>", i, k)
}

// crashFinal is message i's content after its Update.
func crashFinal(i int) string { return strings.Repeat("F", 40<<10) + fmt.Sprint(i) }

// crashVersion is message i after step k: 0 the empty streaming message,
// 1…crashChunks the pieces appended so far, crashChunks+1 the final one.
func crashVersion(i, k int) store.Message {
	m := store.Message{ID: fmt.Sprint(i), Role: "assistant", Status: store.StatusStreaming}
	if k > crashChunks {
		m.Content, m.Status = crashFinal(i), ""
		return m
	}
	var b strings.Builder
	for j := 1; j <= k; j++ {
		b.WriteString(crashChunk(i, j))
	}
	m.Content = b.String()
	return m
}

// crashChild writes messages step by step, printing "i k" after each step
// returned, until it is killed (or, bounded, after many messages).
func crashChild(path, conv string) {
	s, err := sqlite.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	out := bufio.NewWriter(os.Stdout)
	for i := range 100_000 {
		for k := 0; k <= crashChunks+1; k++ {
			var err error
			switch {
			case k == 0:
				err = s.Append(ctx, conv, crashVersion(i, 0))
			case k <= crashChunks:
				err = s.AppendText(ctx, conv, fmt.Sprint(i), crashChunk(i, k))
			default:
				err = s.Update(ctx, conv, crashVersion(i, k))
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			fmt.Fprintln(out, i, k)
			out.Flush()
		}
	}
	os.Exit(0)
}

func TestCrash(t *testing.T) {
	if env := os.Getenv(crashEnv); env != "" {
		path, conv, _ := strings.Cut(env, "|")
		crashChild(path, conv)
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "chat.db")
	ctx := context.Background()
	// Kill the writer at several points, each time in a new conversation of
	// the same file, and read everything back each time.
	for round, after := range []int{37, 150, 301} {
		conv := fmt.Sprint("c", round)
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, store.Conversation{ID: conv, Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
		s.Close()

		cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$")
		cmd.Env = append(os.Environ(), crashEnv+"="+path+"|"+conv)
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		lastI, lastK, n := -1, 0, 0
		for lines.Scan() {
			if _, err := fmt.Sscan(lines.Text(), &lastI, &lastK); err != nil {
				t.Fatalf("child said %q", lines.Text())
			}
			if n++; n == after {
				if err := cmd.Process.Kill(); err != nil { // SIGKILL
					t.Fatal(err)
				}
			}
			// Steps reported after the kill returned before it: they count.
		}
		err = cmd.Wait()
		if n < after {
			t.Fatalf("round %d: the child stopped after %d steps: %v", round, n, err)
		}

		db := raw(t, path)
		var check string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check: %q, %v", round, check, err)
		}
		db.Close()

		s, err = sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		_, ms, err := s.Get(ctx, "alice", conv)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		// Every step that returned is there; the one in progress at the kill
		// is there whole or not at all.
		if len(ms) != lastI+1 && len(ms) != lastI+2 {
			t.Errorf("round %d: %d messages after the child reported message %d", round, len(ms), lastI)
		}
		for i, m := range ms {
			k := matchVersion(i, m)
			if k < 0 {
				t.Errorf("round %d: message %d is no version that was written: status %q, %d bytes, ends %q", round, i, m.Status, len(m.Content), m.Content[max(0, len(m.Content)-20):])
				continue
			}
			switch {
			case i < lastI && k != crashChunks+1:
				t.Errorf("round %d: message %d at step %d, but it was finished", round, i, k)
			case i == lastI && k < lastK:
				t.Errorf("round %d: message %d at step %d, but step %d had returned", round, i, k, lastK)
			}
		}
		t.Logf("round %d: killed after %d steps, message %d step %d reported, %d messages read back", round, n, lastI, lastK, len(ms))
	}
}

// matchVersion returns the step k for which m is crashVersion(i, k), or -1.
func matchVersion(i int, m store.Message) int {
	for k := 0; k <= crashChunks+1; k++ {
		v := crashVersion(i, k)
		if m.ID == v.ID && m.Role == v.Role && m.Status == v.Status && m.Content == v.Content {
			return k
		}
	}
	return -1
}
