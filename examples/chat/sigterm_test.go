package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sheenhq/sheen/internal/browsertest"
)

// runMain makes this test binary run the example's main (with the
// arguments in SHEEN_MAIN_ARGS) when SHEEN_RUN_MAIN is set: the tests start
// the real program as a process of its own, to signal and restart it.
func runMain() bool {
	if os.Getenv("SHEEN_RUN_MAIN") != "1" {
		return false
	}
	os.Args = append([]string{"chat"}, strings.Fields(os.Getenv("SHEEN_MAIN_ARGS"))...)
	main()
	return true
}

// program is the example running as a process of its own.
type program struct {
	cmd  *exec.Cmd
	done chan error
}

// startProgram runs the example with args and returns once it serves.
func startProgram(t *testing.T, args ...string) *program {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SHEEN_RUN_MAIN=1", "SHEEN_MAIN_ARGS="+strings.Join(args, " "))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &program{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "open http://") {
				close(ready)
				break
			}
		}
		var rest io.Writer = io.Discard
		if f, err := os.OpenFile(os.Getenv("SHEEN_PROGRAM_LOG"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			defer f.Close()
			rest = f // the programs' logs, for a person debugging a test
		}
		_, _ = io.Copy(rest, stderr)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() { p.stop(t) })
	select {
	case <-ready:
	case err := <-p.done:
		p.done <- err
		t.Fatalf("the example exited before serving: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the example did not start serving")
	}
	return p
}

// stop ends the program (SIGTERM, then SIGKILL after a bound) and waits.
func (p *program) stop(t *testing.T) error {
	t.Helper()
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		err := <-p.done
		p.done <- err
		t.Errorf("the example did not stop on SIGTERM")
		return err
	}
}

// kill ends the program with SIGKILL, as a crash would, and waits.
func (p *program) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	err := <-p.done
	p.done <- err
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestSIGTERMInterruptsAndRetryCompletes: the example is stopped with
// SIGTERM while a reply streams; it saves the reply as interrupted before
// it exits, and after a restart the conversation shows it so, with a Retry
// button that completes it.
func TestSIGTERMInterruptsAndRetryCompletes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chat.db")
	addr := freeAddr(t)
	p := startProgram(t, "-addr", addr, "-db", db, "-offline-delay", "40ms", "-drain", "0s")
	browser := browsertest.New(t)
	tab := historyTab(t, browser, "http://"+addr+"/")
	send(t, tab, "Show me some Go code")
	tab.Wait(`cParam() !== "" && last()?.classList.contains("sheen-chat-streaming") && last().textContent.includes("complete sheen chat app")`)
	u := browsertest.Eval[string](tab, `location.href`)
	if err := p.stop(t); err != nil {
		t.Fatalf("the example exited with %v after SIGTERM", err)
	}

	startProgram(t, "-addr", addr, "-db", db, "-offline-delay", "1ms")
	again := historyTab(t, browser, u)
	again.Wait(`msgs().length === 2 && last().dataset.status === "interrupted" && !!last().querySelector(".sheen-chat-retry")`)
	again.Check(`last().textContent.includes("complete sheen chat app")`, `!last().textContent.includes("for comparison")`)
	again.MouseClick(`last().querySelector(".sheen-chat-retry")`)
	again.Wait(`last()?.dataset.status === "done" && last().textContent.includes("for comparison") && idle()`)
	again.Do(chromedp.Reload())
	again.Wait(`idle() && last()?.dataset.status === "done" && last().textContent.includes("for comparison")`)
}
