package harness

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of the CPU times in /proc/<pid>/stat: USER_HZ,
// which is 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// Proc is what /proc says about one process at one moment.
type Proc struct {
	CPU   time.Duration // user + system time since the process started
	RSS   int64         // bytes resident now (VmRSS)
	Peak  int64         // peak resident bytes (VmHWM)
	Files int           // open file descriptors (entries of /proc/<pid>/fd)
}

// ReadProc reads the figures of process pid (0: this process).
func ReadProc(pid int) (Proc, error) {
	dir := "/proc/self"
	if pid != 0 {
		dir = "/proc/" + strconv.Itoa(pid)
	}
	var p Proc
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return p, err
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// utime and stime are fields 14 and 15, the 12th and 13th after it.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return p, fmt.Errorf("%s/stat: no command name", dir)
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return p, fmt.Errorf("%s/stat: %d fields", dir, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return p, fmt.Errorf("%s/stat: bad CPU times %q %q", dir, f[11], f[12])
	}
	p.CPU = time.Duration(utime+stime) * clockTick
	if p.RSS, p.Peak, err = memory(dir + "/status"); err != nil {
		return p, err
	}
	fds, err := os.ReadDir(dir + "/fd")
	if err != nil {
		return p, err
	}
	p.Files = len(fds)
	return p, nil
}

// memory reads VmRSS and VmHWM from a /proc status file.
func memory(path string) (rss, peak int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	kib := func(s string) int64 {
		n, e := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "kB")), 10, 64)
		if e != nil && err == nil {
			err = fmt.Errorf("%s: %q: %w", path, s, e)
		}
		return n << 10
	}
	found := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			rss, found = kib(rest), found+1
		} else if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			peak, found = kib(rest), found+1
		}
	}
	if err == nil {
		err = sc.Err()
	}
	if err == nil && found < 2 {
		err = fmt.Errorf("%s: no VmRSS or VmHWM", path)
	}
	return rss, peak, err
}

// LoadAverage returns the 1-minute load average of the machine.
func LoadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// RaiseFileLimit raises the soft limit on open files to the hard limit:
// each session holds a socket.
func RaiseFileLimit() error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	lim.Cur = lim.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

// HTTPClients returns one HTTP client per source address in src, a
// comma-separated list (127.0.0.2,127.0.0.3…), to spread a client's
// connections over more ephemeral ports; one default client when src is
// empty.
func HTTPClients(src string) []*http.Client {
	if src == "" {
		return []*http.Client{{}}
	}
	var out []*http.Client
	for _, a := range strings.Split(src, ",") {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(strings.TrimSpace(a))}, Timeout: 30 * time.Second}
		out = append(out, &http.Client{Transport: &http.Transport{DialContext: d.DialContext}})
	}
	return out
}
