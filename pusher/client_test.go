package pusher

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// scripted answers each request with the next of its responses, then the
// last one again.
type scripted struct {
	responses []func(w http.ResponseWriter)
	n         atomic.Int32
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(s.n.Add(1)) - 1
	s.responses[min(i, len(s.responses)-1)](w)
}

func respond(code int, contentType, body string, headers ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

var (
	accepted = respond(200, "application/json", `{"ok":true}`)
	notFound = respond(404, "application/json", `{"ok":false,"msg":"Monitor not found or not active."}`)
	next500  = respond(500, "application/json", `{"ok":false,"msg":"Monitor not found or not active."}`)
	badGate  = respond(502, "text/html", `<html>502 Bad Gateway</html>`)
	empty503 = respond(503, "", ``)
	spaHTML  = respond(200, "text/html", `<!DOCTYPE html><html>Uptime Kuma</html>`)
)

func TestClientPush(t *testing.T) {
	tests := []struct {
		name      string
		responses []func(http.ResponseWriter)
		retries   int
		wantReqs  int32
		wantErr   string // "": success; "rejected" or "unreachable" plus text
		wantWaits []time.Duration
	}{
		{"accepted", []func(http.ResponseWriter){accepted}, 3, 1, "", nil},
		{"404 json is a rejection, no retry", []func(http.ResponseWriter){notFound}, 3, 1, "rejected: push rejected (HTTP 404): Monitor not found or not active.: the monitor may be paused", nil},
		{"500 json is a rejection, no retry", []func(http.ResponseWriter){next500}, 3, 1, "rejected: push rejected (HTTP 500)", nil},
		{"502 html then ok", []func(http.ResponseWriter){badGate, empty503, accepted}, 3, 3, "", []time.Duration{time.Second, 2 * time.Second}},
		{"5xx until retries run out", []func(http.ResponseWriter){badGate}, 2, 3, "unreachable: push failed after 3 attempts: server answered HTTP 502 Bad Gateway", []time.Duration{time.Second, 2 * time.Second}},
		{"429 honours Retry-After", []func(http.ResponseWriter){respond(429, "", "", "Retry-After", "3"), accepted}, 3, 2, "", []time.Duration{3 * time.Second}},
		{"200 html is not the push route", []func(http.ResponseWriter){spaHTML}, 3, 1, "rejected: push rejected (HTTP 200): answer is not Uptime Kuma's JSON (text/html)", nil},
		{"404 html: no route", []func(http.ResponseWriter){respond(404, "text/html", "Cannot POST")}, 3, 1, "rejected: push rejected (HTTP 404): no push route at this URL", nil},
		{"403 from a proxy", []func(http.ResponseWriter){respond(403, "text/html", "denied")}, 3, 1, "rejected: push rejected (HTTP 403): Forbidden", nil},
		{"retries 0", []func(http.ResponseWriter){empty503, accepted}, 0, 1, "unreachable: push failed after 1 attempt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &scripted{responses: tt.responses}
			srv := httptest.NewServer(s)
			defer srv.Close()
			e, err := ParseEndpoint(srv.URL + "/api/push/Tok3n")
			if err != nil {
				t.Fatal(err)
			}
			var waits []time.Duration
			c := &Client{
				Retries: tt.retries,
				Backoff: time.Second,
				Jitter:  func() float64 { return 1 },
				Sleep: func(_ context.Context, d time.Duration) error {
					waits = append(waits, d)
					return nil
				},
			}
			err = c.Push(context.Background(), e, Heartbeat{})
			if got := s.n.Load(); got != tt.wantReqs {
				t.Errorf("requests = %d, want %d", got, tt.wantReqs)
			}
			if !equalDurations(waits, tt.wantWaits) {
				t.Errorf("waits = %v, want %v", waits, tt.wantWaits)
			}
			kind, text, _ := strings.Cut(tt.wantErr, ": ")
			var rej *RejectedError
			var unr *UnreachableError
			switch {
			case tt.wantErr == "":
				if err != nil {
					t.Fatalf("Push: %v", err)
				}
				return
			case kind == "rejected" && !errors.As(err, &rej):
				t.Fatalf("error %v (%T), want *RejectedError", err, err)
			case kind == "unreachable" && !errors.As(err, &unr):
				t.Fatalf("error %v (%T), want *UnreachableError", err, err)
			}
			if !strings.Contains(err.Error(), text) {
				t.Errorf("error %q, want it to contain %q", err, text)
			}
			if strings.Contains(err.Error(), "Tok3n") {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestClientMaxTime checks that a server that never answers costs at most
// MaxTime, however many retries are allowed.
func TestClientMaxTime(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	e, _ := ParseEndpoint(srv.URL + "/api/push/Tok3n")
	c := &Client{Retries: 100, AttemptTimeout: 200 * time.Millisecond, MaxTime: 700 * time.Millisecond, Backoff: 10 * time.Millisecond}
	start := time.Now()
	err := c.Push(context.Background(), e, Heartbeat{})
	took := time.Since(start)
	var unr *UnreachableError
	if !errors.As(err, &unr) {
		t.Fatalf("error %v, want *UnreachableError", err)
	}
	if unr.Attempts < 2 || unr.Attempts > 5 {
		t.Errorf("attempts = %d, want 2-5 within 700ms at 200ms each", unr.Attempts)
	}
	if took > 2*time.Second {
		t.Errorf("took %v, want about 700ms", took)
	}
}

// TestClientBackoffJitter checks that waits double, are capped and stay
// within the jitter bounds.
func TestClientBackoffJitter(t *testing.T) {
	c := &Client{Jitter: func() float64 { return 1.49 }}
	b := time.Second
	for range 6 {
		d := c.wait(b, errors.New("x"))
		if d < b/2 || d > b*3/2 {
			t.Errorf("wait %v outside [%v, %v]", d, b/2, b*3/2)
		}
		b = min(2*b, maxBackoff)
	}
	if b != maxBackoff {
		t.Errorf("backoff %v, want cap %v", b, maxBackoff)
	}
	c.Jitter = nil
	for range 100 {
		if d := c.wait(time.Second, errors.New("x")); d < 500*time.Millisecond || d >= 1500*time.Millisecond {
			t.Fatalf("random jitter gave %v", d)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"5", 5 * time.Second}, {" 2 ", 2 * time.Second}, {"-1", 0}, {"soon", 0},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
