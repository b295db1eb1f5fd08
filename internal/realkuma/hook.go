package realkuma

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Hook is a slowhook.py webhook receiver: it answers every POST after its
// delay and logs each call.
type Hook struct {
	URL string // http://127.0.0.1:PORT/
	Log string // one "TIME recv MSG" line per call, one "TIME done" line per answer
}

// StartHook starts scripts/realkuma/slowhook.py on a free 127.0.0.1 port,
// answering after delay; it is killed when the test ends.
func StartHook(t testing.TB, delay time.Duration) *Hook {
	t.Helper()
	dir, err := ScriptsDir()
	if err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	h := &Hook{URL: fmt.Sprintf("http://127.0.0.1:%d/", port), Log: filepath.Join(t.TempDir(), "hook.log")}
	cmd := exec.Command("python3", filepath.Join(dir, "slowhook.py"), strconv.Itoa(port),
		strconv.FormatFloat(delay.Seconds(), 'f', -1, 64), h.Log)
	if err := cmd.Start(); err != nil {
		t.Fatalf("realkuma: starting slowhook.py: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// Ready when it accepts a connection (a GET is answered 501, logged nowhere).
	for i := 0; ; i++ {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			break
		}
		if i == 300 {
			t.Fatalf("realkuma: slowhook.py does not listen on %s", h.URL)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return h
}

// Calls returns the messages of the calls received so far and how many
// have been answered.
func (h *Hook) Calls() (recv []string, done int, err error) {
	f, err := os.Open(h.Log)
	if os.IsNotExist(err) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		_, rest, _ := strings.Cut(sc.Text(), " ")
		switch {
		case strings.HasPrefix(rest, "recv "):
			recv = append(recv, strings.TrimPrefix(rest, "recv "))
		case rest == "done":
			done++
		}
	}
	return recv, done, sc.Err()
}
