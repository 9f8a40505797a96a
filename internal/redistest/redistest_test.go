package redistest_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sheenhq/sheen/internal/redistest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// do sends one inline command on a new connection and returns the first
// line of the answer.
func do(t *testing.T, addr, cmd string) (string, error) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimSpace(line), err
}

func gone(pid int) bool { return syscall.Kill(pid, 0) == syscall.ESRCH }

func TestStartStop(t *testing.T) {
	s := redistest.New(t)
	if !strings.HasPrefix(s.Addr, "127.0.0.1:") {
		t.Errorf("Addr = %q, want 127.0.0.1", s.Addr)
	}
	if got, err := do(t, s.Addr, "SET k v"); got != "+OK" {
		t.Fatalf("SET: %q, %v", got, err)
	}
	pid := s.Pid()
	s.Stop()
	if !gone(pid) {
		t.Errorf("process %d still there after Stop", pid)
	}
	if s.Running() || s.Pid() != 0 {
		t.Error("Running after Stop")
	}
	if _, err := do(t, s.Addr, "PING"); err == nil {
		t.Error("PING answered after Stop")
	}
	s.Stop() // again: nothing

	// Started again on the same address, with nothing kept.
	s.Start()
	if got, err := do(t, s.Addr, "EXISTS k"); got != ":0" {
		t.Errorf("EXISTS after a restart without persistence: %q, %v", got, err)
	}
	pid = s.Pid()
	s.Kill()
	if !gone(pid) {
		t.Errorf("process %d still there after Kill", pid)
	}
	s.Start()
	if got, err := do(t, s.Addr, "PING"); got != "+PONG" {
		t.Errorf("PING after Kill and Start: %q, %v", got, err)
	}
}

func TestAppendOnlyKeepsData(t *testing.T) {
	s := redistest.New(t, "--appendonly", "yes")
	if got, err := do(t, s.Addr, "SET k v"); got != "+OK" {
		t.Fatalf("SET: %q, %v", got, err)
	}
	s.Stop()
	s.Start()
	if got, err := do(t, s.Addr, "EXISTS k"); got != ":1" {
		t.Errorf("EXISTS after a restart with --appendonly yes: %q, %v", got, err)
	}
}

func TestServersApart(t *testing.T) {
	a, b := redistest.Start(t), redistest.Start(t)
	if a == b {
		t.Fatalf("two servers on %s", a)
	}
	do(t, a, "SET k a")
	if got, _ := do(t, b, "EXISTS k"); got != ":0" {
		t.Errorf("a key set on one server is on the other: %q", got)
	}
}

func TestStoppedAtCleanup(t *testing.T) {
	var pid int
	t.Run("inner", func(t *testing.T) {
		pid = redistest.New(t).Pid()
	})
	if pid == 0 || !gone(pid) {
		t.Errorf("server %d outlived its test", pid)
	}
}

func TestBadArgument(t *testing.T) {
	// A server that cannot start fails the test with what it said.
	ft := &fakeT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { recover() }()
		redistest.New(ft, "--no-such-option", "x")
	}()
	<-done
	if !strings.Contains(ft.msg, "no-such-option") || !strings.Contains(ft.msg, "exited") {
		t.Errorf("failure message %q, want the server's complaint", ft.msg)
	}
}

// fakeT records Fatalf instead of ending the test.
type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.msg = strings.TrimSpace(strings.ReplaceAll(sprintf(format, args...), "\n", " "))
	panic("fatal")
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
