// Package fakekuma is a stand-in for Uptime Kuma's push route, for tests and
// benchmarks: it answers as the real server versions do (see
// shared/uptime-kuma-push.md), records every request, and can be told to
// fail in the ways real deployments fail.
package fakekuma

import (
	"bytes"
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
	Referer   string
	Beat      bool // a heartbeat was recorded
}

// Messages of Uptime Kuma's handler for faults seen on real servers: the
// beat is not recorded, and the answer is {"ok":false,"msg":...} with the
// handler's error status (404; 500 on Next).
const (
	// KnexTimeout is the msg when the database pool stays busy for
	// Uptime Kuma's acquireConnectionTimeout (120 s in 1.23 and 2.x).
	KnexTimeout = "Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?"
	// SQLiteBusy ends the msg when another process holds a SQLite lock;
	// Knex puts the failed statement before it (see busyMsg).
	SQLiteBusy = "SQLITE_BUSY: database is locked"
)

// Fault kinds: how the next requests to a token misbehave.
const (
	FaultStatus    = "status"    // Code with an empty body (a proxy, a crash), Retry-After if set
	FaultHTML      = "html"      // Code with a proxy's HTML error page
	FaultHang      = "hang"      // no answer ever; nothing recorded
	FaultSlow      = "slow"      // 2.x with a slow notifier: the beat is recorded, the answer comes Delay later
	FaultRedirect  = "redirect"  // Code to Location (a path on this server, or an absolute URL), query kept
	FaultKnex      = "knex"      // {"ok":false,"msg":KnexTimeout}, after Delay; nothing recorded
	FaultBusy      = "busy"      // {"ok":false,"msg":SQLiteBusy}; nothing recorded
	FaultMsg       = "msg"       // {"ok":false,"msg":Msg} with Code (0: the handler's); nothing recorded
	FaultMigrating = "migrating" // 2.x migrating its database after an upgrade: Express's HTML 404 "Cannot GET <path>"
	FaultDrop      = "drop"      // the beat is recorded, then the connection closes unanswered
)

// Fault is one scripted misbehaviour for a token, used once per request
// until its count runs out.
type Fault struct {
	Kind       string        // one of the Fault* kinds
	Code       int           // HTTP status for status, redirect, html, msg
	Count      int           // requests it applies to; <= 0: all
	Delay      time.Duration // for slow and knex
	RetryAfter string        // Retry-After header for status
	Location   string        // for redirect
	Msg        string        // for msg
}

// Server is the stand-in's state and http.Handler. The zero value is not
// usable; call New.
type Server struct {
	version Version

	mu       sync.Mutex
	monitors map[string]bool // token -> active
	faults   map[string][]*Fault
	requests []Request
	clock    func() time.Time // nil: time.Now
	raceWin  time.Duration    // StatsRace's window; 0: off
	stats    map[string]*statsRow
	closed   chan struct{}
	once     sync.Once
}

// statsRow is a token's cached stat_minutely row, as Uptime Kuma 2.x's
// UptimeCalculator keeps it.
type statsRow struct {
	minute   time.Time
	inserted chan struct{} // closed when the first push's insert ends
	done     bool          // the insert ended
	poisoned bool          // a second insert failed: its unsaved row is cached
	once     sync.Once
}

func (r *statsRow) release() { r.once.Do(func() { close(r.inserted) }) }

// New returns a server behaving as version v.
func New(v Version) *Server {
	return &Server{version: v, monitors: map[string]bool{}, faults: map[string][]*Fault{}, stats: map[string]*statsRow{}, closed: make(chan struct{})}
}

// SetClock makes the server read the time from now (for its Date header,
// its messages and StatsRace's minutes) instead of time.Now.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = now
}

// StatsRace makes a V2 server reproduce the statistics race of Uptime Kuma
// 2.0-2.5.3 (uptime-kuma#5357) for minutes; window 0 (the default) turns
// it off. The first push to a token in a new minute inserts the token's
// stat_minutely row, which takes up to window: a second push to the token
// that arrives meanwhile ends that insert (the first push is recorded) and
// inserts the row again, which fails; from then until the minute ends
// (by the server's clock, see SetClock) every push to the token answers
// {"ok":false,"msg":"insert into `stat_minutely` ... UNIQUE constraint
// failed: ..."} and records nothing, its own included.
func (s *Server) StatsRace(window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raceWin = window
}

// StatsStuckMsg is the start of the msg a token stuck by StatsRace
// answers with, as Uptime Kuma 2.5.3 words it with SQLite.
const StatsStuckMsg = "insert into `stat_minutely` "

func (s *Server) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// updateStats is UptimeCalculator.update's stat_minutely part, run before
// the heartbeat is stored. It returns the failure's msg when the push
// fails, "" when it goes on.
func (s *Server) updateStats(token string, r *http.Request) string {
	s.mu.Lock()
	if s.raceWin <= 0 || s.version != V2 {
		s.mu.Unlock()
		return ""
	}
	minute := s.now().Truncate(time.Minute)
	row := s.stats[token]
	switch {
	case row == nil || !row.minute.Equal(minute):
		// The first push of the minute inserts the row.
		row = &statsRow{minute: minute, inserted: make(chan struct{})}
		s.stats[token] = row
		window := s.raceWin
		s.mu.Unlock()
		t := time.NewTimer(window)
		defer t.Stop()
		select {
		case <-row.inserted:
		case <-t.C:
		case <-s.closed:
		}
		s.mu.Lock()
		row.done = true
		s.mu.Unlock()
		return ""
	case !row.done:
		// A second insert while the first runs: the unique key fails it,
		// and its unsaved row stays cached.
		row.poisoned = true
		row.release()
	}
	poisoned := row.poisoned
	s.mu.Unlock()
	if !poisoned {
		return ""
	}
	ping := r.URL.Query().Get("ping")
	if ping == "" {
		ping = "0"
	}
	return fmt.Sprintf("%s(`down`, `monitor_id`, `ping`, `ping_max`, `ping_min`, `timestamp`, `up`) values (0, 1, %s, %s, %s, %d, 1) - SQLITE_CONSTRAINT: UNIQUE constraint failed: stat_minutely.monitor_id, stat_minutely.timestamp",
		StatsStuckMsg, ping, ping, ping, minute.Unix())
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

// Requests returns the requests to token's push path, oldest first; with
// token "", every request the server received, on any path.
func (s *Server) Requests(token string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if token == "" || strings.HasSuffix(r.Path, "/api/push/"+token) {
			out = append(out, r)
		}
	}
	return out
}

// Close releases requests held by "hang" faults.
func (s *Server) Close() { s.once.Do(func() { close(s.closed) }) }

// ServeHTTP answers the push route like Uptime Kuma's api-router.js.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), UserAgent: r.UserAgent(), Referer: r.Referer()}
	s.mu.Lock()
	if s.clock != nil {
		w.Header().Set("Date", s.clock().UTC().Format(http.TimeFormat))
	}
	s.mu.Unlock()
	i := strings.LastIndex(r.URL.Path, "/api/push/")
	if i < 0 || strings.Contains(r.URL.Path[i+len("/api/push/"):], "/") {
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
		// Uptime Kuma's SPA answers every other GET path with its index
		// page, a push path with a trailing slash or segment included.
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			expressNotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><html><body>Uptime Kuma</body></html>")
		return
	}
	token := r.URL.Path[i+len("/api/push/"):]

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
		// 1.23 registers the route for GET only (Express answers HEAD
		// with it, and so records a beat); Express's own 404 page.
		expressNotFound(w, r)
		return
	}
	// 2.x checks the ping before it looks the monitor up (seen on 2.5.3:
	// a paused monitor with ping=-5 answers "Invalid ping value").
	if code, msg := s.checkPing(req.Query.Get("ping")); code != 0 {
		s.answer(w, code, false, msg)
		return
	}
	if !active {
		s.answer(w, s.errorCode(), false, "Monitor not found or not active.")
		return
	}
	if msg := s.updateStats(token, r); msg != "" {
		s.answer(w, s.errorCode(), false, msg)
		return
	}
	s.mu.Lock()
	s.requests[n].Beat = true
	s.mu.Unlock()
	if f != nil {
		switch f.Kind {
		case FaultSlow:
			// 2.x awaits its notifications before it answers; the beat is
			// stored whether the client still waits or not.
			s.wait(f.Delay)
		case FaultDrop:
			dropConnection(w)
			return
		}
	}
	s.answer(w, http.StatusOK, true, "")
}

// busyMsg is Uptime Kuma 1.23.17's answer to a push while another process
// holds a SQLite lock, as seen on a real server.
func busyMsg(r *http.Request, now time.Time) string {
	q := r.URL.Query()
	msg, ping := q.Get("msg"), q.Get("ping")
	if msg == "" {
		msg = "OK"
	}
	if ping == "" {
		ping = "NULL"
	}
	return fmt.Sprintf("insert into `heartbeat` (`duration`, `important`, `monitor_id`, `msg`, `ping`, `status`, `time`) values (60, false, 1, '%s', %s, 1, '%s') - %s",
		strings.ReplaceAll(msg, "'", "''"), ping, now.UTC().Format("2006-01-02 15:04:05.000"), SQLiteBusy)
}

// wait sleeps d, or less when the server closes.
func (s *Server) wait(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.closed:
	}
}

// expressNotFound answers as Express does for a route it does not have.
func expressNotFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot %s %s</pre>\n</body>\n</html>\n", r.Method, r.URL.Path)
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// misbehave applies f and reports whether the request was answered. Kinds
// that act after the beat is recorded (slow, drop) are applied by
// ServeHTTP.
func (s *Server) misbehave(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	switch f.Kind {
	case FaultSlow, FaultDrop:
		return false
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		return true
	case FaultRedirect:
		http.Redirect(w, r, f.Location+"?"+r.URL.RawQuery, f.Code)
		return true
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Code)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1>nginx</body></html>", f.Code, http.StatusText(f.Code))
		return true
	case FaultKnex:
		s.wait(f.Delay)
		s.answer(w, s.errorCode(), false, KnexTimeout)
		return true
	case FaultBusy:
		s.mu.Lock()
		now := s.now()
		s.mu.Unlock()
		s.answer(w, s.errorCode(), false, busyMsg(r, now))
		return true
	case FaultMsg:
		code := f.Code
		if code == 0 {
			code = s.errorCode()
		}
		s.answer(w, code, false, f.Msg)
		return true
	case FaultMigrating:
		expressNotFound(w, r)
		return true
	default: // FaultStatus: an empty body, as a proxy or a restarting server gives
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
			return s.errorCode(), "Invalid ping value. Must be between 0 and 100000000000 ms."
		}
	case Next:
		if err != nil || v < 0 || v > 86_400_000 {
			return http.StatusBadRequest, "Invalid ping value"
		}
	}
	return 0, ""
}

// answer writes Uptime Kuma's JSON as Express's res.json does: fields in
// the handler's order, no HTML escaping, no trailing newline.
func (s *Server) answer(w http.ResponseWriter, code int, ok bool, msg string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		OK  bool   `json:"ok"`
		Msg string `json:"msg,omitempty"`
	}{ok, msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
