package realkuma

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Heartbeat statuses as Uptime Kuma stores them.
const (
	Down        = 0
	Up          = 1
	Pending     = 2
	Maintenance = 3
)

// Heartbeat is one row of the heartbeat table.
type Heartbeat struct {
	ID        int      `json:"id"`
	MonitorID int      `json:"monitor_id"`
	Status    int      `json:"status"` // Down, Up, Pending or Maintenance
	Msg       string   `json:"msg"`
	Ping      *float64 `json:"ping"` // nil: none
	Time      string   `json:"time"`
	Important int      `json:"important"`
}

// sqlite runs the sqlite3 CLI on the server's database with a 10 s busy
// timeout, so that reading while the server writes waits instead of failing.
func (s *Server) sqlite(args ...string) ([]byte, error) {
	full := append([]string{"-bail", "-cmd", ".timeout 10000"}, args...)
	full = append(full[:len(full)-1], s.DB, full[len(full)-1])
	cmd := exec.Command("sqlite3", full...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("sqlite3 %s: %w: %s", s.DB, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Exec runs SQL statements on the server's database and returns what they
// print.
func (s *Server) Exec(sql string) (string, error) {
	out, err := s.sqlite(sql)
	return string(out), err
}

// Query runs one SELECT and decodes its rows (sqlite3 -json) into v, a
// pointer to a slice.
func (s *Server) Query(sql string, v any) error {
	out, err := s.sqlite("-json", sql)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(out)) == 0 {
		out = []byte("[]")
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("sqlite3 -json: %w", err)
	}
	return nil
}

// Heartbeats returns the heartbeats of the monitor id, oldest first; id 0:
// of every monitor.
func (s *Server) Heartbeats(id int) ([]Heartbeat, error) {
	where := ""
	if id != 0 {
		where = fmt.Sprintf(" WHERE monitor_id = %d", id)
	}
	var hb []Heartbeat
	err := s.Query("SELECT id, monitor_id, status, msg, ping, time, important FROM heartbeat"+where+" ORDER BY id;", &hb)
	return hb, err
}

// MustHeartbeats is Heartbeats that ends the test on an error.
func (s *Server) MustHeartbeats(t testing.TB, id int) []Heartbeat {
	t.Helper()
	hb, err := s.Heartbeats(id)
	if err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	return hb
}

// Lock is an exclusive SQLite transaction held open on a server's database
// by a sqlite3 process, as another program (a backup, a second Uptime Kuma)
// would hold it.
type Lock struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	once  sync.Once
	done  chan struct{}
}

// HoldLock takes BEGIN EXCLUSIVE on the server's database and returns once
// it is held. It is released by Release, after d when d > 0, or when the
// test ends. While it is held the server's writes fail with SQLITE_BUSY
// (or a Knex pool timeout) after their busy timeout.
func (s *Server) HoldLock(t testing.TB, d time.Duration) *Lock {
	t.Helper()
	cmd := exec.Command("sqlite3", s.DB)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("realkuma: starting sqlite3: %v", err)
	}
	l := &Lock{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	t.Cleanup(l.Release)
	// BEGIN EXCLUSIVE waits up to .timeout for the server's own writes.
	fmt.Fprint(stdin, ".timeout 10000\nBEGIN EXCLUSIVE;\nSELECT 'locked';\n")
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		l.Release()
		t.Fatalf("realkuma: BEGIN EXCLUSIVE on %s: %q %v %s", s.DB, line, err, stderr.String())
	}
	if d > 0 {
		time.AfterFunc(d, l.Release)
	}
	return l
}

// Release ends the transaction and returns when sqlite3 has exited. It may
// be called more than once.
func (l *Lock) Release() {
	l.once.Do(func() {
		fmt.Fprint(l.stdin, "ROLLBACK;\n.quit\n")
		l.stdin.Close()
		_ = l.cmd.Wait()
		close(l.done)
	})
}

// Released is closed when the lock has been released.
func (l *Lock) Released() <-chan struct{} { return l.done }

// pushPath finds push tokens, hidden in what tests log (a leak by opkuma
// is for the test to find, not for its log to repeat).
var pushPath = regexp.MustCompile(`/api/push/[A-Za-z0-9]+`)

// String shows a heartbeat in test failures, push tokens hidden.
func (h Heartbeat) String() string {
	ping := "none"
	if h.Ping != nil {
		ping = fmt.Sprint(*h.Ping)
	}
	msg := pushPath.ReplaceAllString(h.Msg, "/api/push/<token>")
	return fmt.Sprintf("{status %d msg %q ping %s}", h.Status, msg, ping)
}
