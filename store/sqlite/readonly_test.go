package sqlite_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sheenhq/sheen/store/sqlite"
)

// readOnlyEnv, set in a child process, names the file TestReadOnly's child
// opens; it prints Open's error.
const readOnlyEnv = "SHEEN_SQLITE_READONLY_CHILD"

func TestReadOnly(t *testing.T) {
	if path := os.Getenv(readOnlyEnv); path != "" {
		s, err := sqlite.Open(path)
		if err == nil {
			s.Close()
			fmt.Print("opened")
		} else {
			fmt.Print(err)
		}
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	roFile := filepath.Join(dir, "rw", "ro.db")
	newInRO := filepath.Join(dir, "ro", "new.db")
	for _, d := range []string{filepath.Dir(roFile), filepath.Dir(newInRO)} {
		if err := os.Mkdir(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	s, err := sqlite.Open(roFile)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	chmod(t, 0o444, roFile)
	chmod(t, 0o777, filepath.Dir(roFile))
	chmod(t, 0o555, filepath.Dir(newInRO))

	tests := []struct{ name, path string }{
		{"read-only file", roFile},
		{"read-only directory", newInRO},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := openUnprivileged(t, dir, tt.path)
			if msg == "opened" {
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(msg, "store/sqlite: open "+tt.path) || !(strings.Contains(msg, "read-only") || strings.Contains(msg, "unable to open")) {
				t.Errorf("Open: %q, want it to name the file and say it cannot be written", msg)
			}
			t.Log(msg)
		})
	}
}

func chmod(t *testing.T, mode os.FileMode, path string) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// openUnprivileged opens path with sqlite.Open as a user file modes apply
// to, and returns Open's error text or "opened". Root ignores file modes, so
// as root the test binary runs again as nobody, from a copy under dir that
// nobody can read.
func openUnprivileged(t *testing.T, dir, path string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		s, err := sqlite.Open(path)
		if err != nil {
			return err.Error()
		}
		s.Close()
		return "opened"
	}
	bin := filepath.Join(dir, "sqlite.test")
	if _, err := os.Stat(bin); err != nil {
		copyFile(t, os.Args[0], bin)
	}
	// nobody must reach dir: open the way down from the temp root.
	for d := dir; d != os.TempDir() && d != "/" && d != "."; d = filepath.Dir(d) {
		chmod(t, 0o755, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	cmd := exec.Command(bin, "-test.run=^TestReadOnly$")
	cmd.Env = append(os.Environ(), readOnlyEnv+"="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.Output()
	if err != nil {
		// Say, a temp directory under one nobody cannot enter.
		t.Skipf("cannot run the test binary as nobody: %v: %s", err, out)
	}
	return string(out)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
