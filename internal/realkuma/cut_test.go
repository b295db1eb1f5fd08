package realkuma

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// cuttingProxy is a TCP proxy on 127.0.0.1 that passes each request to
// target (host:port) whole, reads the server's whole answer, and gives the
// client only cut(answer) before it closes. It counts the requests it
// passed on.
func cuttingProxy(t *testing.T, target string, cut func([]byte) []byte) (url string, passed *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	passed = new(atomic.Int32)
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				var head strings.Builder
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					// One request per connection: the server closes after it.
					if strings.HasPrefix(strings.ToLower(line), "connection:") {
						continue
					}
					if line == "\r\n" {
						head.WriteString("Connection: close\r\n\r\n")
						break
					}
					head.WriteString(line)
				}
				s, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer s.Close()
				passed.Add(1)
				if _, err := io.WriteString(s, head.String()); err != nil {
					return
				}
				answer, _ := io.ReadAll(s)
				_, _ = c.Write(cut(answer))
			}()
		}
	}()
	return "http://" + l.Addr().String(), passed
}

// TestCutAnswerRecordedOnce: whatever comes back once the push was
// written (nothing, a cut status line, garbage), opkuma never sends it
// again: one request, one heartbeat, and it says the beat may have been
// recorded.
func TestCutAnswerRecordedOnce(t *testing.T) {
	EachVersion(t, func(t *testing.T, in *Install) {
		s := Start(t, in)
		tok, id := in.Setup.PushToken, in.Setup.MonitorID
		target := strings.TrimPrefix(s.URL, "http://")
		shapes := []struct {
			name string
			cut  func([]byte) []byte
		}{
			{"closed unanswered", func([]byte) []byte { return nil }},
			{"status line cut at 12 bytes", func(b []byte) []byte { return b[:min(12, len(b))] }},
			{"garbage", func([]byte) []byte { return []byte("\x00\xffnot http\r\n\r\n") }},
			{"headers cut", func(b []byte) []byte { return b[:min(40, len(b))] }},
		}
		before := 0
		for _, sh := range shapes {
			t.Run(sh.name, func(t *testing.T) {
				url, passed := cuttingProxy(t, target, sh.cut)
				r := opkuma(t, nil, "push", "--url", url+"/api/push/"+tok)
				noToken(t, "opkuma's output", r.stdout+r.stderr, tok)
				if r.code != 69 || !strings.Contains(r.stderr, "may have been recorded") {
					t.Errorf("exit %d, stderr %q; want 69 and \"may have been recorded\"", r.code, pushPath.ReplaceAllString(r.stderr, "/api/push/<token>"))
				}
				if n := passed.Load(); n != 1 {
					t.Errorf("requests passed on: %d, want 1", n)
				}
				hb := s.MustHeartbeats(t, id)
				if len(hb) != before+1 {
					t.Errorf("heartbeats: %d new, want exactly 1", len(hb)-before)
				}
				before = len(hb)
			})
		}
	})
}
