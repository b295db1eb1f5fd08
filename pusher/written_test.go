package pusher

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rawServer is a stand-in on 127.0.0.1 that reads each request's head and
// answers with answer's raw bytes, then closes; stall keeps the connection
// open until the test ends. It counts the requests it read.
func rawServer(t *testing.T, answer []byte, stall bool) (url string, requests *atomic.Int32) {
	t.Helper()
	done := make(chan struct{})
	requests = new(atomic.Int32)
	addr, _ := listener(t, func(c net.Conn) {
		defer c.Close()
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				break
			}
		}
		requests.Add(1)
		_, _ = c.Write(answer)
		if stall {
			<-done
		}
	})
	// Registered after listener's cleanup, so it runs first: the stalled
	// handlers return before the listener waits for them.
	t.Cleanup(func() { close(done) })
	return "http://" + addr + "/api/push/Tok3n", requests
}

// TestClientBrokenAnswerNotResent: once a request was written, whatever
// comes back (nothing, a cut, garbage), it is never sent again and is
// reported as possibly recorded.
//
// Catches: an attempt counted as answered at its first response byte
// (outstanding := st.pending && st.answerAt.IsZero()): every shape but
// "closed" is then sent 3 times.
func TestClientBrokenAnswerNotResent(t *testing.T) {
	huge := "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Padding: "+strings.Repeat("a", 1000)+"\r\n", 1050)
	for _, tc := range []struct{ name, answer string }{
		{"closed", ""},
		{"cut status line", "HTTP/1.1 200"},
		{"malformed status line", "HTTP/1.1 abc OK\r\n\r\n"},
		{"garbage", "\x00\xff\x13 not http at all\r\n\r\n"},
		{"1 MB of headers, cut", huge},
		{"bad Content-Length", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1x\r\n\r\n{\"ok\":true}"},
		{"body shorter than Content-Length", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{\"ok\":"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, requests := rawServer(t, []byte(tc.answer), false)
			var waits []time.Duration
			c := testClient(mustEndpoint(t, url), &waits)
			c.MaxAttempts = 3
			_, err := c.Push(context.Background(), Beat{})
			var unr *UnreachableError
			if !errors.As(err, &unr) || !unr.Sent || unr.Attempts != 1 {
				t.Errorf("error %v, want *UnreachableError after 1 attempt, Sent", err)
			}
			if err != nil && (!strings.HasSuffix(err.Error(), "may have been recorded") || strings.Contains(err.Error(), "Tok3n")) {
				t.Errorf("error %q", err)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("requests = %d, want 1: a written request is never sent again", n)
			}
		})
	}
}

// TestClientStalledHeadersMayBeRecorded: an answer that stops in the
// middle of its headers is waited for up to MaxTime, once, and reported as
// possibly recorded.
//
// Catches: the same first-byte rule as above: the push is then retried
// after MaxTime's cut, and reported as not sent.
func TestClientStalledHeadersMayBeRecorded(t *testing.T) {
	url, requests := rawServer(t, []byte("HTTP/1.1 200 OK\r\nContent-Ty"), true)
	c := &Client{Endpoint: mustEndpoint(t, url), ConnectTimeout: testConnectTimeout, MaxTime: 3 * time.Second}
	start := time.Now()
	_, err := c.Push(context.Background(), Beat{})
	var unr *UnreachableError
	if !errors.As(err, &unr) || !unr.Sent || unr.Attempts != 1 {
		t.Fatalf("error %v, want *UnreachableError after 1 attempt, Sent", err)
	}
	if want := "push failed after 1 attempt: request sent, no answer within 3s: not sent again, as the beat may have been recorded"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if took := time.Since(start); took < 3*time.Second {
		t.Errorf("took %v, want MaxTime's 3s of waiting", took)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

// TestClientRedirectThenRefused: a whole redirect answer is an answer: when
// the next hop cannot be reached, nothing was recorded, so the push is
// retried.
//
// Catches: checkRedirect not marking the redirect answered (st.redirected()
// removed): the push is then reported as possibly recorded after one
// attempt.
func TestClientRedirectThenRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().(*net.TCPAddr).Port
	l.Close()
	var n atomic.Int32
	addr, _ := listener(t, func(c net.Conn) {
		defer c.Close()
		r := bufio.NewReader(c)
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		n.Add(1)
		_, _ = c.Write([]byte("HTTP/1.1 302 Found\r\nLocation: https://127.0.0.1:" + strconv.Itoa(dead) + req.URL.Path + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
	})
	var waits []time.Duration
	c := testClient(mustEndpoint(t, "http://"+addr+"/api/push/Tok3n"), &waits)
	c.MaxAttempts = 2
	_, err = c.Push(context.Background(), Beat{})
	var unr *UnreachableError
	if !errors.As(err, &unr) || unr.Sent || unr.Attempts != 2 || n.Load() != 2 {
		t.Errorf("error %v, %d requests; want *UnreachableError after 2 attempts, not Sent", err, n.Load())
	}
}
