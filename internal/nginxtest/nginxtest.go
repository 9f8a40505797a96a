package nginxtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// ReadyTimeout bounds how long a started nginx may take to accept a
// connection on its port.
const ReadyTimeout = 10 * time.Second

// StopTimeout is how long Stop waits after each signal before it sends the
// next one (SIGQUIT, SIGTERM, then SIGKILL).
const StopTimeout = 5 * time.Second

// pollInterval is how often a starting nginx's port is tried.
const pollInterval = 5 * time.Millisecond

// Server is an nginx process on 127.0.0.1, owned by one test.
type Server struct {
	Addr string // 127.0.0.1:port
	URL  string // http://Addr
	Dir  string // its prefix: nginx.conf, nginx.pid, error.log, temporary files

	cmd  *exec.Cmd
	done chan struct{} // closed when the master exited
	err  error         // cmd.Wait's, once done is closed
}

// Start starts nginx for tb in front of upstreams (host:port addresses)
// and returns once it accepts connections. It is stopped when tb ends.
func Start(tb testing.TB, upstreams []string) *Server {
	tb.Helper()
	if len(upstreams) == 0 {
		tb.Fatal("nginxtest: no upstreams")
	}
	bin := Binary(tb)
	dir := tb.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		tb.Fatalf("nginxtest: %v", err)
	}
	// A free port can be taken by someone else between finding it and
	// nginx binding it: try a few.
	var err error
	for range 5 {
		var s *Server
		if s, err = start(bin, dir, upstreams); err == nil {
			tb.Cleanup(s.Stop)
			return s
		}
		if !strings.Contains(err.Error(), "in use") {
			break
		}
	}
	tb.Fatalf("nginxtest: %v", err)
	return nil
}

// Binary returns the nginx to run: $SHEEN_NGINX, else nginx on $PATH, else
// /usr/sbin/nginx. Without one it skips tb, or fails it if
// SHEEN_REQUIRE_NGINX=1.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("SHEEN_NGINX"); p != "" {
		return p
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if st, err := os.Stat("/usr/sbin/nginx"); err == nil && st.Mode().IsRegular() {
		return "/usr/sbin/nginx"
	}
	if os.Getenv("SHEEN_REQUIRE_NGINX") == "1" {
		tb.Fatal("nginxtest: nginx not found on $PATH, /usr/sbin or $SHEEN_NGINX and SHEEN_REQUIRE_NGINX=1; `make nginx` installs Debian's nginx")
	}
	tb.Skip("nginxtest: nginx not found; install it (make nginx) or set SHEEN_NGINX to run the multi-instance tests")
	return ""
}

func start(bin, dir string, upstreams []string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	conf := filepath.Join(dir, "nginx.conf")
	text, err := Conf{Listen: addr, Upstreams: upstreams, Dir: dir}.Text()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return nil, err
	}
	errorLog := filepath.Join(dir, "error.log")
	_ = os.Remove(errorLog) // a failed try's
	// -e: the log before the configuration is read (otherwise the
	// compiled-in path, which a user may not be allowed to open).
	cmd := exec.Command(bin, "-e", errorLog, "-c", conf, "-p", dir+"/")
	// Its own process group, so that SIGKILL reaches the workers too; and
	// should the test binary die without its cleanups, the kernel stops the
	// master with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	s := &Server{Addr: addr, URL: "http://" + addr, Dir: dir, cmd: cmd, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(); err != nil {
		s.Stop()
		b, _ := os.ReadFile(errorLog)
		return nil, fmt.Errorf("nginx on %s: %w%s", addr, err, tail(string(b)))
	}
	return s, nil
}

// Pid is the master process's id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Reload makes nginx read its configuration again (SIGHUP): new workers
// take new connections, the old ones finish theirs (WebSockets included,
// for at most the configuration's worker_shutdown_timeout).
func (s *Server) Reload() error { return s.cmd.Process.Signal(syscall.SIGHUP) }

// Stop stops nginx: SIGQUIT (a graceful shutdown: open connections are
// closed after the configuration's worker_shutdown_timeout), then SIGTERM,
// then SIGKILL of its process group, each after [StopTimeout] without an
// exit. It waits for the master. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGTERM} {
		select {
		case <-s.done:
			return
		default:
		}
		_ = s.cmd.Process.Signal(sig)
		select {
		case <-s.done:
			return
		case <-time.After(StopTimeout):
		}
	}
	// The group's id is the master's pid; the group lives while any worker
	// does, so its id is not reused meanwhile.
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
}

// waitReady dials the port until it accepts, the master exits or
// ReadyTimeout passes.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(ReadyTimeout)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-s.done:
			if s.err == nil {
				s.err = errors.New("exit status 0")
			}
			return fmt.Errorf("exited before it listened: %v", s.err)
		case <-time.After(pollInterval):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening after %v: %w", ReadyTimeout, err)
		}
	}
}

// Conf describes nginx in front of sheen instances: round-robin, no
// stickiness, WebSocket upgrades passed through, long read timeouts. Its
// http block is the one docs/deployment.md gives to copy; Start runs it,
// and the scripts (scripts/cluster.sh, internal/bench/load/cluster.sh)
// write it with the nginxconf command beside this package.
type Conf struct {
	Listen    string   // host:port
	Upstreams []string // host:port of each instance
	Dir       string   // nginx's prefix: pid, error.log, access.log, tmp/ (which must exist)
	// ShutdownTimeout is worker_shutdown_timeout: how long a graceful stop
	// or a reload leaves connections still open (WebSockets) before it
	// closes them. Default 1 s.
	ShutdownTimeout time.Duration
	// Connections is worker_connections (default 1024); above that the
	// worker's open-file limit is raised to twice as many.
	Connections int
	// NoAccessLog turns the access log off (load runs).
	NoAccessLog bool
}

// Text returns the configuration file.
func (c Conf) Text() (string, error) {
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = time.Second
	}
	if c.Connections <= 0 {
		c.Connections = 1024
	}
	rlimit := 0
	if c.Connections > 1024 {
		rlimit = 2 * c.Connections
	}
	var b strings.Builder
	err := confTemplate.Execute(&b, map[string]any{
		"Listen":      c.Listen,
		"Upstreams":   c.Upstreams,
		"Dir":         strings.TrimSuffix(c.Dir, "/"),
		"Root":        os.Geteuid() == 0,
		"Shutdown":    max(1, int(c.ShutdownTimeout.Round(time.Second)/time.Second)),
		"Connections": c.Connections,
		"RLimit":      rlimit,
		"AccessLog":   !c.NoAccessLog,
	})
	return b.String(), err
}

// confTemplate is a minimal nginx.conf; the http block is the one
// docs/deployment.md gives to copy.
var confTemplate = template.Must(template.New("nginx.conf").Parse(`# Written by internal/nginxtest (Conf).
daemon off;
master_process on;
worker_processes 1;
{{if .RLimit}}worker_rlimit_nofile {{.RLimit}};
{{end}}{{if .Root}}user root;  # run as root: workers that may write in a root-owned directory
{{end}}pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log notice;
# A graceful stop or reload closes the connections still open (WebSockets)
# after this long instead of waiting for them.
worker_shutdown_timeout {{.Shutdown}}s;

events {
    worker_connections {{.Connections}};
}

http {
    access_log {{if .AccessLog}}{{.Dir}}/access.log{{else}}off{{end}};
    client_body_temp_path {{.Dir}}/tmp;
    proxy_temp_path {{.Dir}}/tmp;
    fastcgi_temp_path {{.Dir}}/tmp;
    uwsgi_temp_path {{.Dir}}/tmp;
    scgi_temp_path {{.Dir}}/tmp;

    # Connection: upgrade for a WebSocket upgrade, close otherwise.
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }

    # Round-robin, no stickiness: any instance serves any page.
    upstream sheen {
{{- range .Upstreams}}
        server {{.}};
{{- end}}
    }

    server {
        listen {{.Listen}};

        location / {
            proxy_pass http://sheen;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_buffering off;
            proxy_connect_timeout 5s;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }
    }
}
`))

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail is the end of nginx's error log, for an error message.
func tail(text string) string {
	if text == "" {
		return ""
	}
	if len(text) > 2000 {
		text = text[len(text)-2000:]
	}
	return "\nerror.log ends:\n" + text
}
