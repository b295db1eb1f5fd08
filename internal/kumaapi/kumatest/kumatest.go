// Package kumatest is a small socket.io server that answers as Uptime Kuma
// 1.23 or 2.x does to the events internal/kumaapi sends, for tests: the
// Engine.IO handshake, ping/pong, event and acknowledgement framing, login
// with two-factor authentication, the lists sent after login, and the
// monitor (resumeMonitor too) and tag events, the heartbeats
// (heartbeatList after login, getMonitorBeats) and the push route
// /api/push/<token>. It keeps its monitors and beats in memory.
package kumatest

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Server is the stand-in. Set its fields before Start; the test's
// goroutine may read them and call its methods at any time.
type Server struct {
	t       testing.TB
	Prefix  string // path prefix before /socket.io/
	Version string // "1.23.17" or "2.5.3": 2.x drops events before info, wants conditions, sends its lists before the login ack

	Password   string    // of the user "admin"
	TOTPSecret []byte    // non-nil: 2FA on
	Now        time.Time // the clock for TOTP codes; zero: time.Now
	lastToken  string

	PingBeforeAck bool   // send an Engine.IO ping before acking login, and require its pong
	CloseOn       string // close the connection when this event comes
	NotJSONAck    bool   // answer events with a non-object
	// OnEvent, when set, is called with each event's name as it comes
	// (from the connection's goroutine), for tests that wait for one.
	OnEvent func(name string)

	mu       sync.Mutex
	monitors map[int]map[string]any
	beats    map[int][]Beat
	tags     []map[string]any
	received []string // event names, in order; "dropped:MESSAGE" for messages before info
	nextID   int
}

// New returns a stand-in for Uptime Kuma version (e.g. "1.23.17", "2.5.3")
// with the user admin (password "secret") and one HTTP monitor, id 1,
// named "web".
func New(t testing.TB, version string) *Server {
	s := &Server{t: t, Version: version, Password: "secret",
		monitors: map[int]map[string]any{}, beats: map[int][]Beat{}, nextID: 1}
	s.AddMonitor(map[string]any{"name": "web", "type": "http", "active": true, "interval": 60,
		"retryInterval": 60, "maxretries": 0, "pushToken": nil, "notificationIDList": map[string]any{"1": true}})
	return s
}

// Start serves on 127.0.0.1 until the test ends and returns the address
// to give opkuma (with the Prefix).
func (s *Server) Start() string {
	srv := httptest.NewServer(s)
	s.t.Cleanup(srv.Close)
	return srv.URL + s.Prefix
}

// StartTLS serves over https on 127.0.0.1 until the test ends and returns
// the address to give opkuma and the server's certificate, PEM-encoded.
func (s *Server) StartTLS() (string, []byte) {
	srv := httptest.NewUnstartedServer(s)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // a client refusing the certificate is expected
	srv.StartTLS()
	s.t.Cleanup(srv.Close)
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return srv.URL + s.Prefix, cert
}

// AddMonitor stores a monitor as the server would and returns its id.
func (s *Server) AddMonitor(m map[string]any) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID
	s.nextID++
	m["id"] = id
	if _, ok := m["tags"]; !ok {
		m["tags"] = []any{}
	}
	s.monitors[id] = m
	return id
}

// Monitor returns a copy of the monitor id, nil when there is none.
func (s *Server) Monitor(id int) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.monitors[id]
	if !ok {
		return nil
	}
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// SetField changes one field of the monitor id.
func (s *Server) SetField(id int, key string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.monitors[id][key] = value
}

// Beat is a heartbeat as the stand-in stores it.
type Beat struct {
	Time   time.Time
	Status int // 0 down, 1 up, 2 pending, 3 maintenance
	Msg    string
}

// AddBeat stores a heartbeat of the monitor id.
func (s *Server) AddBeat(id int, b Beat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.beats[id] = append(s.beats[id], b)
}

// Beats returns the heartbeats of the monitor id, oldest first.
func (s *Server) Beats(id int) []Beat {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Beat(nil), s.beats[id]...)
}

// beatRows returns the beats of id since since as Uptime Kuma's rows.
func (s *Server) beatRows(id int, since time.Time) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := []map[string]any{}
	for i, b := range s.beats[id] {
		if b.Time.After(since) {
			// SQLite's text, UTC, as R.isoDateTimeMillis writes it.
			rows = append(rows, map[string]any{"id": i + 1, "monitor_id": id, "status": b.Status, "msg": b.Msg,
				"time": b.Time.UTC().Format("2006-01-02 15:04:05.000"), "important": 0, "duration": 0, "ping": nil})
		}
	}
	return rows
}

// push answers the push route as 1.23 and 2.x do: an active push monitor
// with the token records a beat; anything else is 404 ok:false.
func (s *Server) push(w http.ResponseWriter, r *http.Request, token string) {
	s.mu.Lock()
	id := 0
	for mid, m := range s.monitors {
		if m["pushToken"] == token && m["active"] == true && m["type"] == "push" {
			id = mid
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if id == 0 {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"ok":false,"msg":"Monitor not found or not active."}`)
		return
	}
	status, msg := 1, "OK"
	if st := r.URL.Query().Get("status"); st != "" && st != "up" {
		status = 0
	}
	if m := r.URL.Query().Get("msg"); m != "" {
		msg = m
	}
	s.AddBeat(id, Beat{Time: time.Now(), Status: status, Msg: msg})
	fmt.Fprint(w, `{"ok":true}`)
}

func (s *Server) major() int { n, _ := strconv.Atoi(strings.SplitN(s.Version, ".", 2)[0]); return n }

// ServeHTTP answers as Uptime Kuma does: a WebSocket upgrade of its
// socket.io URL is the API; an upgrade of any other path is closed without
// an answer (engine.io's destroyUpgrade); a plain GET of the socket.io URL
// with the polling transport gets an Engine.IO handshake, and one with the
// websocket transport engine.io's 400; any other GET gets the web UI's
// page (its single-page app answers every path).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	upgrade := strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
	q := r.URL.Query()
	if token, ok := strings.CutPrefix(r.URL.Path, s.Prefix+"/api/push/"); ok && r.Method == http.MethodGet {
		s.push(w, r, token)
		return
	}
	switch {
	case r.URL.Path != s.Prefix+"/socket.io/" && upgrade:
		if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
			c.Close()
		}
		return
	case r.URL.Path != s.Prefix+"/socket.io/" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Uptime Kuma</title></head><body></body></html>")
		return
	case r.URL.Path != s.Prefix+"/socket.io/" || q.Get("EIO") != "4":
		http.NotFound(w, r)
		return
	case q.Get("transport") == "polling":
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		fmt.Fprint(w, `0{"sid":"poll1","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)
		return
	case q.Get("transport") != "websocket" || !upgrade:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"code":3,"message":"Bad request"}`)
		return
	}
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer ws.CloseNow()
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	send := func(msg string) {
		if err := ws.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			s.t.Logf("stand-in: write: %v", err)
		}
	}
	emit := func(event string, arg any) {
		b, _ := json.Marshal([]any{event, arg})
		send("42" + string(b))
	}
	msgs := make(chan string)
	go func() {
		defer close(msgs)
		for {
			_, b, err := ws.Read(ctx)
			if err != nil {
				return
			}
			select {
			case msgs <- string(b):
			case <-ctx.Done():
				return
			}
		}
	}()
	read := func() string { return <-msgs }
	send(`0{"sid":"eio1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)
	if m := read(); m != "40" {
		// "": the client hung up, as one stopped by a signal mid-dial
		// does (monitor watch --every): not a fault of the client's.
		if m != "" {
			s.t.Errorf("stand-in: want socket.io CONNECT 40, got %q", m)
		}
		return
	}
	send(`40{"sid":"sio1"}`)
	if s.major() >= 2 {
		// 2.x awaits sendInfo before registering its handlers: whatever
		// comes meanwhile is dropped. Give a client that does not wait for
		// info the time to send something.
		select {
		case m, ok := <-msgs:
			if !ok {
				return
			}
			s.record("dropped:" + m)
		case <-time.After(200 * time.Millisecond):
		}
	}
	emit("info", map[string]any{"version": nil, "primaryBaseURL": nil})
	for {
		m := read()
		switch {
		case m == "":
			return
		case m == "41":
			return
		case strings.HasPrefix(m, "3"):
			s.record("pong" + m[1:])
			continue
		case !strings.HasPrefix(m, "42"):
			s.t.Errorf("stand-in: unexpected message %q", m)
			continue
		}
		rest := m[2:]
		i := strings.IndexByte(rest, '[')
		if i < 0 {
			s.t.Errorf("stand-in: event without array: %q", m)
			return
		}
		id := rest[:i]
		var args []json.RawMessage
		if err := json.Unmarshal([]byte(rest[i:]), &args); err != nil {
			s.t.Errorf("stand-in: %v in %q", err, m)
			return
		}
		var name string
		_ = json.Unmarshal(args[0], &name)
		s.record(name)
		if name == s.CloseOn {
			ws.Close(websocket.StatusGoingAway, "bye")
			return
		}
		ack := func(v any) {
			if s.NotJSONAck {
				v = "nonsense"
			}
			b, _ := json.Marshal([]any{v})
			send("43" + id + string(b))
		}
		switch name {
		case "login":
			s.login(args[1], ack, emit, send, read)
		case "add":
			ack(s.add(args[1]))
		case "getMonitorList":
			s.sendMonitorList(emit)
			ack(map[string]any{"ok": true})
		case "getMonitor":
			var mid int
			_ = json.Unmarshal(args[1], &mid)
			s.mu.Lock()
			m, ok := s.monitors[mid]
			s.mu.Unlock()
			if !ok {
				ack(map[string]any{"ok": false, "msg": "Cannot read properties of null (reading 'id')"})
			} else {
				ack(map[string]any{"ok": true, "monitor": m})
			}
		case "editMonitor":
			var m map[string]any
			_ = json.Unmarshal(args[1], &m)
			mid := int(m["id"].(float64))
			s.mu.Lock()
			s.monitors[mid] = m
			s.mu.Unlock()
			ack(map[string]any{"ok": true, "msg": "Saved.", "monitorID": mid})
		case "resumeMonitor":
			var mid int
			_ = json.Unmarshal(args[1], &mid)
			s.mu.Lock()
			m, ok := s.monitors[mid]
			if ok {
				m["active"] = true
			}
			s.mu.Unlock()
			switch {
			case !ok:
				ack(map[string]any{"ok": false, "msg": "Cannot read properties of null (reading 'id')"})
			case s.major() >= 2:
				ack(map[string]any{"ok": true, "msg": "successResumed", "msgi18n": true})
			default:
				s.sendMonitorList(emit)
				ack(map[string]any{"ok": true, "msg": "Resumed Successfully."})
			}
		case "getMonitorBeats":
			var mid int
			var hours float64
			_ = json.Unmarshal(args[1], &mid)
			if json.Unmarshal(args[2], &hours) != nil {
				ack(map[string]any{"ok": false, "msg": "Invalid period."})
				break
			}
			since := time.Now().Add(-time.Duration(hours * float64(time.Hour)))
			ack(map[string]any{"ok": true, "data": s.beatRows(mid, since)})
		case "getTags":
			s.mu.Lock()
			ack(map[string]any{"ok": true, "tags": s.tags})
			s.mu.Unlock()
		case "addTag":
			var tag map[string]any
			_ = json.Unmarshal(args[1], &tag)
			s.mu.Lock()
			tag["id"] = len(s.tags) + 1
			s.tags = append(s.tags, tag)
			s.mu.Unlock()
			ack(map[string]any{"ok": true, "tag": tag})
		case "addMonitorTag":
			var tagID, mid int
			var value string
			_ = json.Unmarshal(args[1], &tagID)
			_ = json.Unmarshal(args[2], &mid)
			_ = json.Unmarshal(args[3], &value)
			s.mu.Lock()
			tag := s.tags[tagID-1]
			s.monitors[mid]["tags"] = append(s.monitors[mid]["tags"].([]any),
				map[string]any{"id": 1, "monitor_id": mid, "tag_id": tagID, "value": value, "name": tag["name"], "color": tag["color"]})
			s.mu.Unlock()
			ack(map[string]any{"ok": true})
		default:
			ack(map[string]any{"ok": false, "msg": "unknown event " + name})
		}
	}
}

func (s *Server) record(what string) {
	s.mu.Lock()
	s.received = append(s.received, what)
	s.mu.Unlock()
	if s.OnEvent != nil {
		s.OnEvent(what)
	}
}

// Events returns the event names received, in order ("pong" for a pong
// to the ping before the login ack; "dropped:MESSAGE" for a message sent
// before the server was ready).
func (s *Server) Events() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

func (s *Server) login(arg json.RawMessage, ack func(any), emit func(string, any), send func(string), read func() string) {
	var d struct{ Username, Password, Token string }
	_ = json.Unmarshal(arg, &d)
	refuse := func(key, en string) {
		if s.major() >= 2 {
			ack(map[string]any{"ok": false, "msg": key, "msgi18n": true})
		} else {
			ack(map[string]any{"ok": false, "msg": en})
		}
	}
	if d.Username != "admin" || d.Password != s.Password {
		refuse("authIncorrectCreds", "Incorrect username or password.")
		return
	}
	if s.TOTPSecret != nil {
		if d.Token == "" {
			ack(map[string]any{"tokenRequired": true})
			return
		}
		now := s.Now
		if now.IsZero() {
			now = time.Now()
		}
		valid := false
		for _, step := range []time.Duration{-totpPeriod, 0, totpPeriod} {
			if totp(s.TOTPSecret, now.Add(step)) == d.Token {
				valid = true
			}
		}
		if !valid || d.Token == s.lastToken {
			refuse("authInvalidToken", "Invalid Token!")
			return
		}
		s.lastToken = d.Token
	}
	lists := func() {
		s.sendMonitorList(emit)
		emit("info", map[string]any{"version": s.Version})
		emit("notificationList", []any{
			map[string]any{"id": 1, "name": "mail", "isDefault": false},
			map[string]any{"id": 2, "name": "chat", "isDefault": true},
		})
		s.sendHeartbeatLists(send)
	}
	if s.PingBeforeAck {
		send("2probe")
		if m := read(); m != "3probe" {
			s.t.Errorf("stand-in: want pong 3probe, got %q", m)
			return
		}
		s.record("pong")
	}
	if s.major() >= 2 { // 2.x awaits afterLogin before answering
		lists()
		ack(map[string]any{"ok": true, "token": "jwt"})
	} else {
		ack(map[string]any{"ok": true, "token": "jwt"})
		time.Sleep(100 * time.Millisecond) // 1.23 queries the database after the ack
		lists()
	}
}

// sendHeartbeatLists sends each monitor's newest 100 beats, after the
// other lists, as both versions do: heartbeatList(monitorID, beats,
// overwrite).
func (s *Server) sendHeartbeatLists(send func(string)) {
	s.mu.Lock()
	var ids []int
	for id := range s.monitors {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		rows := s.beatRows(id, time.Time{})
		if len(rows) > 100 {
			rows = rows[len(rows)-100:]
		}
		b, _ := json.Marshal([]any{"heartbeatList", id, rows, false})
		send("42" + string(b))
	}
}

func (s *Server) sendMonitorList(emit func(string, any)) {
	s.mu.Lock()
	list := map[string]any{}
	for id, m := range s.monitors {
		list[strconv.Itoa(id)] = m
	}
	b, _ := json.Marshal(list)
	s.mu.Unlock()
	emit("monitorList", json.RawMessage(b))
}

func (s *Server) add(arg json.RawMessage) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(arg, &m)
	_, hasConditions := m["conditions"]
	switch {
	case s.major() >= 2 && !hasConditions:
		return map[string]any{"ok": false, "msg": "insert into `monitor` ... - SQLITE_CONSTRAINT: NOT NULL constraint failed: monitor.conditions"}
	case s.major() < 2 && hasConditions:
		return map[string]any{"ok": false, "msg": "insert into `monitor` ... - SQLITE_ERROR: table monitor has no column named conditions"}
	}
	delete(m, "tags")
	id := s.AddMonitor(m)
	return map[string]any{"ok": true, "msg": "Added Successfully.", "monitorID": id}
}

const totpPeriod = 30 * time.Second

// totp is RFC 6238 (SHA-1, 6 digits, 30 s), written apart from kumaapi's so
// that a mistake there is not mirrored here.
func totp(key []byte, t time.Time) string {
	counter := uint64(t.Unix() / 30)
	msg := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		msg[i] = byte(counter)
		counter >>= 8
	}
	mac := hmac.New(sha1.New, key)
	mac.Write(msg)
	h := mac.Sum(nil)
	o := h[19] & 15
	v := (uint32(h[o])&0x7f)<<24 | uint32(h[o+1])<<16 | uint32(h[o+2])<<8 | uint32(h[o+3])
	return fmt.Sprintf("%06d", v%1000000)
}
