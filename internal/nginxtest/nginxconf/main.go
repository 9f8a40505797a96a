// Command nginxconf prints the nginx configuration of internal/nginxtest
// (nginxtest.Conf) for the scripts that start nginx in front of sheen
// instances, and makes the directories it names:
//
//	go run ./internal/nginxtest/nginxconf -listen 127.0.0.1:8000 \
//	    -upstream 127.0.0.1:8001 -upstream 127.0.0.1:8002 -dir DIR >DIR/nginx.conf
//	nginx -e DIR/error.log -c DIR/nginx.conf -p DIR/
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sheenhq/sheen/internal/nginxtest"
)

func main() {
	var c nginxtest.Conf
	flag.StringVar(&c.Listen, "listen", "127.0.0.1:8000", "the address nginx listens on")
	flag.Func("upstream", "an instance's host:port (repeat for each)", func(s string) error {
		c.Upstreams = append(c.Upstreams, s)
		return nil
	})
	flag.StringVar(&c.Dir, "dir", "", "nginx's directory: pid, logs, tmp/ (made if missing)")
	flag.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 0, "worker_shutdown_timeout (default 1s)")
	flag.IntVar(&c.Connections, "connections", 0, "worker_connections (default 1024)")
	accessLog := flag.Bool("access-log", true, "write an access log")
	flag.Parse()
	c.NoAccessLog = !*accessLog
	if c.Dir == "" || len(c.Upstreams) == 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: nginxconf -dir DIR -upstream HOST:PORT [-upstream …] [-listen HOST:PORT] [-shutdown-timeout D] [-connections N] [-access-log=false]")
		os.Exit(2)
	}
	dir, err := filepath.Abs(c.Dir)
	if err == nil {
		c.Dir = dir
		err = os.MkdirAll(filepath.Join(dir, "tmp"), 0o700)
	}
	var text string
	if err == nil {
		text, err = c.Text()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "nginxconf:", err)
		os.Exit(1)
	}
	fmt.Print(text)
}
