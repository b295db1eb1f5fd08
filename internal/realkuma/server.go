package realkuma

import (
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// StartTimeout bounds how long Start waits for a server to answer.
const StartTimeout = 3 * time.Minute

// Server is a running Uptime Kuma on its own copy of a target's data.
type Server struct {
	Install *Install
	URL     string // http://127.0.0.1:PORT, no trailing slash
	DataDir string // the copy's DATA_DIR
	DB      string // DataDir/kuma.db
	Log     string // the server's stdout and stderr

	cmd    *exec.Cmd
	exited chan struct{} // closed when the server has exited
}

// Start copies in's data dir into a temporary dir, makes the push monitor
// of setup.sh wait a day between its own checks (so that no "No heartbeat
// in the time window" beat appears during a test), starts the server on a
// free 127.0.0.1 port and returns once /api/entry-page answers as the main
// server. The server is killed when the test ends; when the test failed,
// the errors and warnings of its log are printed. Failures end the test.
func Start(t testing.TB, in *Install) *Server {
	t.Helper()
	tmp := t.TempDir()
	s := &Server{Install: in, DataDir: filepath.Join(tmp, "data"), Log: filepath.Join(tmp, "server.log")}
	s.DB = filepath.Join(s.DataDir, "kuma.db")
	if err := copyDir(filepath.Join(in.Dir, "data"), s.DataDir); err != nil {
		t.Fatalf("realkuma: copying the data dir: %v", err)
	}
	if _, err := s.Exec(fmt.Sprintf("UPDATE monitor SET interval = 86400 WHERE id = %d;", in.Setup.MonitorID)); err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	s.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	logf, err := os.Create(s.Log)
	if err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	defer logf.Close()
	cmd := exec.Command("node", "server/server.js")
	cmd.Dir = filepath.Join(in.Dir, "src")
	cmd.Env = append(os.Environ(), "DATA_DIR="+s.DataDir+"/", "UPTIME_KUMA_HOST=127.0.0.1",
		"UPTIME_KUMA_PORT="+strconv.Itoa(port), "NODE_ENV=production")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("realkuma: starting node: %v", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	exited := s.exited
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // the data copy is thrown away: no graceful stop needed
		<-exited
		if t.Failed() {
			t.Logf("realkuma: Uptime Kuma %s log: %s; its errors and warnings:\n%s", in.Version, s.Log, problems(s.Log, 20))
		}
	})
	if err := s.waitReady(exited); err != nil {
		t.Fatalf("realkuma: Uptime Kuma %s: %v\n%s", in.Version, err, tail(s.Log, 30))
	}
	return s
}

// waitReady polls /api/entry-page (never the push route: any request there
// is a heartbeat) until it answers as the main server, not as 2.x's
// database setup or migration page.
func (s *Server) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(StartTimeout)
	c := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("the server exited while starting")
		default:
		}
		if resp, err := c.Get(s.URL + "/api/entry-page"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), `"entryPage"`) {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond) // polling a process we cannot be told about
	}
	return fmt.Errorf("no answer on %s/api/entry-page in %v", s.URL, StartTimeout)
}

// PushURL returns the push URL of token on this server, without a query.
func (s *Server) PushURL(token string) string { return s.URL + "/api/push/" + token }

// Stop stops the server gracefully (SIGTERM, then SIGKILL after 30 s) and
// returns when it has exited; the data copy stays for reading.
func (s *Server) Stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// copyDir copies the regular files and directories under src to dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	})
}

// problems returns the last n lines of the log at path that report an
// error or a warning.
func problems(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "ERROR") || strings.Contains(l, "WARN") || strings.Contains(l, "Error") {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	if len(out) == 0 {
		return "(none)"
	}
	return strings.Join(out, "\n")
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
