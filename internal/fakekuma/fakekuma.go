// Package fakekuma is a stand-in for Uptime Kuma's push route, for tests and
// benchmarks: it answers as the real server versions do (see
// shared/uptime-kuma-push.md), records every request, and can be told to
// fail in the ways real deployments fail.
package fakekuma

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Version selects which Uptime Kuma the server behaves as.
type Version string

// The behaviours that differ between releases.
const (
	V1   Version = "1.23" // GET (and HEAD) only; rejections are 404
	V2   Version = "2"    // any method; rejections are 404; ping < 0 or > 1e11 refused
	Next Version = "next" // any method; rejections are 500; ping must be 0..86400000 else 400
)

// Request is one request the server received on the push route.
type Request struct {
	Method    string
	Path      string
	Query     url.Values
	UserAgent string
	Beat      bool // a heartbeat was recorded
}

// Fault is one scripted misbehaviour for a token, used once per request
// until its count runs out.
type Fault struct {
	Kind       string        // "status", "hang", "slow", "redirect", "html"
	Code       int           // HTTP status for "status", "redirect", "html"
	Count      int           // requests it applies to; <= 0: all
	Delay      time.Duration // for "slow"
	RetryAfter string        // Retry-After header for "status"
	Location   string        // for "redirect"
}

// Server is the stand-in's state and http.Handler. The zero value is not
// usable; call New.
type Server struct {
	version Version

	mu       sync.Mutex
	monitors map[string]bool // token -> active
	faults   map[string][]*Fault
	requests []Request
	closed   chan struct{}
	once     sync.Once
}

// New returns a server behaving as version v.
func New(v Version) *Server {
	return &Server{version: v, monitors: map[string]bool{}, faults: map[string][]*Fault{}, closed: make(chan struct{})}
}

// AddMonitor registers a Push monitor with token; inactive ones (paused)
// answer as unknown tokens do.
func (s *Server) AddMonitor(token string, active bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.monitors[token] = active
}

// AddFault queues f for requests to token.
func (s *Server) AddFault(token string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[token] = append(s.faults[token], &f)
}

// Requests returns the requests to token's push path, oldest first.
func (s *Server) Requests(token string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if strings.HasSuffix(r.Path, "/api/push/"+token) {
			out = append(out, r)
		}
	}
	return out
}

// Close releases requests held by "hang" faults.
func (s *Server) Close() { s.once.Do(func() { close(s.closed) }) }

// ServeHTTP answers the push route like Uptime Kuma's api-router.js.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := strings.LastIndex(r.URL.Path, "/api/push/")
	if i < 0 {
		// Uptime Kuma's SPA answers every other path with its index page.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><html><body>Uptime Kuma</body></html>")
		return
	}
	token := r.URL.Path[i+len("/api/push/"):]
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), UserAgent: r.UserAgent()}

	s.mu.Lock()
	f := s.nextFault(token)
	active := s.monitors[token]
	n := len(s.requests)
	s.requests = append(s.requests, req) // on arrival, as a log would show it
	s.mu.Unlock()

	if f != nil && s.misbehave(w, r, f) {
		return
	}
	if s.version == V1 && r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "<!DOCTYPE html><pre>Cannot %s %s</pre>", r.Method, r.URL.Path)
		return
	}
	if !active {
		s.answer(w, s.errorCode(), false, "Monitor not found or not active.")
		return
	}
	if code, msg := s.checkPing(req.Query.Get("ping")); code != 0 {
		s.answer(w, code, false, msg)
		return
	}
	s.mu.Lock()
	s.requests[n].Beat = true
	s.mu.Unlock()
	s.answer(w, http.StatusOK, true, "")
}

// misbehave applies f and reports whether the request was answered.
func (s *Server) misbehave(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	switch f.Kind {
	case "hang":
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		return true
	case "slow":
		// Like Uptime Kuma, finish the push even when the client has
		// given up waiting: the heartbeat is recorded all the same.
		select {
		case <-time.After(f.Delay):
		case <-s.closed:
		}
		return false
	case "redirect":
		http.Redirect(w, r, f.Location+"?"+r.URL.RawQuery, f.Code)
		return true
	case "html":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Code)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1>nginx</body></html>", f.Code, http.StatusText(f.Code))
		return true
	default: // "status": an empty body, as a proxy or a restarting server gives
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		w.WriteHeader(f.Code)
		return true
	}
}

func (s *Server) nextFault(token string) *Fault {
	q := s.faults[token]
	if len(q) == 0 {
		return nil
	}
	f := q[0]
	if f.Count > 0 {
		f.Count--
		if f.Count == 0 {
			s.faults[token] = q[1:]
		}
	}
	return f
}

// errorCode is what the handler's catch block answers with.
func (s *Server) errorCode() int {
	if s.version == Next {
		return http.StatusInternalServerError
	}
	return http.StatusNotFound
}

func (s *Server) checkPing(p string) (int, string) {
	if p == "" {
		return 0, ""
	}
	v, err := strconv.ParseFloat(p, 64)
	switch s.version {
	case V2:
		if err == nil && (v < 0 || v > 1e11) {
			return s.errorCode(), "Invalid ping value"
		}
	case Next:
		if err != nil || v < 0 || v > 86_400_000 {
			return http.StatusBadRequest, "Invalid ping value"
		}
	}
	return 0, ""
}

func (s *Server) answer(w http.ResponseWriter, code int, ok bool, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	body := map[string]any{"ok": ok}
	if msg != "" {
		body["msg"] = msg
	}
	_ = json.NewEncoder(w).Encode(body)
}
