package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ReadyTimeout bounds how long a started server may take to answer PING.
const ReadyTimeout = 10 * time.Second

// StopTimeout is how long [Server.Stop] waits after SIGTERM before it sends
// SIGKILL.
const StopTimeout = 5 * time.Second

// pollInterval is how often a starting server is asked for PONG.
const pollInterval = 5 * time.Millisecond

// Server is a redis-server process on 127.0.0.1, owned by one test.
type Server struct {
	Addr string // 127.0.0.1:port, the same across restarts

	tb   testing.TB
	bin  string
	dir  string
	args []string

	mu   sync.Mutex
	proc *process // nil while stopped
}

// process is one run of the server.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it exited
	err  error         // cmd.Wait's, once done is closed
}

// Start starts a server for tb and returns its address. It is stopped when
// tb ends.
func Start(tb testing.TB, args ...string) string {
	tb.Helper()
	return New(tb, args...).Addr
}

// New starts a server for tb and returns it. args are added to the
// command line after the package's own (--port, --bind, --save "",
// --appendonly no, --dir), which they may override. It is stopped when tb
// ends.
func New(tb testing.TB, args ...string) *Server {
	tb.Helper()
	s := &Server{tb: tb, bin: Binary(tb), dir: tb.TempDir(), args: args}
	tb.Cleanup(s.Stop) // after TempDir's cleanup is registered: runs before it
	// A free port can be taken by someone else between finding it and the
	// server binding it: try a few.
	var err error
	for range 5 {
		var port int
		if port, err = freePort(); err != nil {
			break
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err = s.start(); err == nil || !strings.Contains(err.Error(), "in use") {
			break
		}
	}
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	return s
}

// Binary returns the redis-server to run: $SHEEN_REDIS_SERVER, else
// redis-server on $PATH. Without one it skips tb, or fails it if
// SHEEN_REQUIRE_REDIS=1.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("SHEEN_REDIS_SERVER"); p != "" {
		return p
	}
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p
	}
	if os.Getenv("SHEEN_REQUIRE_REDIS") == "1" {
		tb.Fatal("redistest: redis-server not found on $PATH (or $SHEEN_REDIS_SERVER) and SHEEN_REQUIRE_REDIS=1; `make redis` installs Debian's redis-server")
	}
	tb.Skip("redistest: redis-server not found on $PATH; install it (make redis) or set SHEEN_REDIS_SERVER to run the Redis tests")
	return ""
}

// Start starts the server again on the same address after [Server.Stop]
// or [Server.Kill], with the same arguments and directory. It fails the
// test if the server is running or does not come up.
func (s *Server) Start() {
	s.tb.Helper()
	if err := s.start(); err != nil {
		s.tb.Fatalf("redistest: %v", err)
	}
}

// Stop stops the server: SIGTERM (Redis shuts down cleanly, writing its
// append-only file if it keeps one), then SIGKILL if it has not exited
// after [StopTimeout]. It waits for the process. Stopping a stopped server
// does nothing.
func (s *Server) Stop() { s.stop(syscall.SIGTERM) }

// Kill stops the server with SIGKILL, as a crash would, and waits for it.
func (s *Server) Kill() { s.stop(syscall.SIGKILL) }

// Running reports whether the server was started and not stopped since.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc != nil
}

// Pid is the server process's id, 0 while it is stopped.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.cmd.Process.Pid
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return fmt.Errorf("the server on %s is running", s.Addr)
	}
	_, port, _ := net.SplitHostPort(s.Addr)
	logFile := filepath.Join(s.dir, "redis.log")
	args := append([]string{
		"--port", port,
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", s.dir,
		"--logfile", logFile,
		"--daemonize", "no",
	}, s.args...)
	cmd := exec.Command(s.bin, args...)
	// What it says before its log file is open (a bad argument).
	out := new(tailBuffer)
	cmd.Stdout, cmd.Stderr = out, out
	// Should the test binary die without its cleanups, the kernel stops the
	// server with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", s.bin, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := waitReady(s.Addr, p); err != nil {
		kill(p, syscall.SIGKILL)
		return fmt.Errorf("redis-server on %s: %w%s%s", s.Addr, err, tail("output", out.String()), logTail(logFile))
	}
	s.proc = p
	return nil
}

func (s *Server) stop(sig syscall.Signal) {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p != nil {
		kill(p, sig)
	}
}

// kill sends sig to p, and SIGKILL after StopTimeout, and waits for it.
func kill(p *process, sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(StopTimeout):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// waitReady polls addr with PING until it answers PONG, p exits or
// ReadyTimeout passes.
func waitReady(addr string, p *process) error {
	deadline := time.Now().Add(ReadyTimeout)
	var last error
	for {
		if last = ping(addr); last == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited before it answered: %v", p.err)
		case <-time.After(pollInterval):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no PONG after %v: %w", ReadyTimeout, last)
		}
	}
}

// ping sends one PING on a new connection and reads the answer.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		// -LOADING while it reads its data back, for instance.
		return errors.New(strings.TrimSpace(line))
	}
	return nil
}

// freePort returns a TCP port free on 127.0.0.1 at the time of the call.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logTail is the end of the server's log file, for an error message.
func logTail(path string) string {
	b, _ := os.ReadFile(path)
	return tail("redis.log", string(b))
}

// tail is the end of text, titled, for an error message.
func tail(title, text string) string {
	if text == "" {
		return ""
	}
	if len(text) > 2000 {
		text = text[len(text)-2000:]
	}
	return "\n" + title + " ends:\n" + text
}

// tailBuffer keeps the last 4 KB written to it.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
