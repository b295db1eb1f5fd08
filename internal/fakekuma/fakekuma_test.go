package fakekuma

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServer checks the stand-in's answers against what real Uptime Kuma
// 1.23.17 and 2.5.3 answered (see shared/uptime-kuma-push.md).
func TestServer(t *testing.T) {
	tests := []struct {
		name     string
		version  Version
		fault    *Fault
		method   string
		path     string
		wantCode int
		wantBody string // substring
		wantBeat bool
	}{
		{"accepted", V2, nil, "GET", "/api/push/tok?ping=12", 200, `{"ok":true}`, true},
		{"unknown token", V1, nil, "GET", "/api/push/nope", 404, `{"ok":false,"msg":"Monitor not found or not active."}`, false},
		{"paused", V2, nil, "GET", "/api/push/paused", 404, `"msg":"Monitor not found or not active."`, false},
		{"paused on next", Next, nil, "GET", "/api/push/paused", 500, `"msg":"Monitor not found or not active."`, false},
		{"1.23 POST", V1, nil, "POST", "/api/push/tok", 404, "<pre>Cannot POST /api/push/tok</pre>", false},
		{"1.23 HEAD records", V1, nil, "HEAD", "/api/push/tok", 200, "", true},
		{"2.x POST records", V2, nil, "POST", "/api/push/tok", 200, `{"ok":true}`, true},
		{"2.x bad ping", V2, nil, "GET", "/api/push/tok?ping=-1", 404, `"msg":"Invalid ping value. Must be between 0 and 100000000000 ms."`, false},
		{"next bad ping", Next, nil, "GET", "/api/push/tok?ping=86400001", 400, `"ok":false`, false},
		{"knex", V1, &Fault{Kind: FaultKnex}, "GET", "/api/push/tok", 404, `"msg":"Knex: Timeout acquiring a connection.`, false},
		{"knex on next", Next, &Fault{Kind: FaultKnex}, "GET", "/api/push/tok", 500, `"msg":"Knex: Timeout`, false},
		{"busy", V2, &Fault{Kind: FaultBusy}, "GET", "/api/push/tok?msg=hi", 404, "'hi', NULL, 1, '", false},
		{"migrating", V2, &Fault{Kind: FaultMigrating}, "GET", "/api/push/tok", 404, "<pre>Cannot GET /api/push/tok</pre>", false},
		{"slow records", V2, &Fault{Kind: FaultSlow, Delay: time.Millisecond}, "GET", "/api/push/tok", 200, `{"ok":true}`, true},
		{"msg", V2, &Fault{Kind: FaultMsg, Msg: "a\nb"}, "GET", "/api/push/tok", 404, `{"ok":false,"msg":"a\nb"}`, false},
		{"2.x ping checked before the monitor", V2, nil, "GET", "/api/push/paused?ping=-5", 404, `"msg":"Invalid ping value.`, false},
		{"trailing slash is the web app", V1, nil, "GET", "/api/push/tok/", 200, "<html>", false},
		{"extra segment is the web app", V2, nil, "GET", "/api/push/tok/x", 200, "<html>", false},
		{"1.23 POST to a longer path", V1, nil, "POST", "/api/push/tok/x", 404, "<pre>Cannot POST /api/push/tok/x</pre>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.version)
			defer s.Close()
			s.AddMonitor("tok", true)
			s.AddMonitor("paused", false)
			if tt.fault != nil {
				s.AddFault("tok", *tt.fault)
			}
			srv := httptest.NewServer(s)
			defer srv.Close()
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("got %d %q, want %d with %q", resp.StatusCode, body, tt.wantCode, tt.wantBody)
			}
			token := tt.path[len("/api/push/"):]
			token, _, _ = strings.Cut(token, "?")
			reqs := s.Requests(token)
			if len(reqs) != 1 || reqs[0].Beat != tt.wantBeat {
				t.Errorf("requests %+v, want one with Beat=%v", reqs, tt.wantBeat)
			}
		})
	}
}

// TestServerDrop: the beat is recorded, then the connection closes.
func TestServerDrop(t *testing.T) {
	s := New(V2)
	defer s.Close()
	s.AddMonitor("tok", true)
	s.AddFault("tok", Fault{Kind: FaultDrop, Count: 1})
	srv := httptest.NewServer(s)
	defer srv.Close()
	if _, err := http.Get(srv.URL + "/api/push/tok"); err == nil {
		t.Error("got an answer, want the connection closed")
	}
	if r := s.Requests("tok"); len(r) != 1 || !r[0].Beat {
		t.Errorf("requests %+v, want one recorded", r)
	}
}

// TestServerStatsRace: two pushes in flight at once at a new minute stick
// the token until the minute ends: the first is recorded, the second and
// every later push that minute answer the stat_minutely failure and record
// nothing; the next minute is free again, and a lone push is never stuck.
//
// Catches: the second insert not sticking the token (row.poisoned = true
// removed), and the stuck row kept past its minute (the minute compared
// with row.minute dropped).
func TestServerStatsRace(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }
	s := New(V2)
	defer s.Close()
	s.AddMonitor("tok", true)
	s.AddMonitor("alone", true)
	s.SetClock(clock)
	srv := httptest.NewServer(s)
	defer srv.Close()
	get := func(token string) (int, string, string) {
		resp, err := http.Get(srv.URL + "/api/push/" + token + "?ping=12")
		if err != nil {
			t.Error(err)
			return 0, "", ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("Date")
	}
	beats := func(token string) (n int) {
		for _, r := range s.Requests(token) {
			if r.Beat {
				n++
			}
		}
		return n
	}

	// The first insert waits for a racer up to 10 s: the second arrives
	// long before.
	s.StatsRace(10 * time.Second)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i], _, _ = get("tok") }()
	}
	wg.Wait()
	if codes[0]+codes[1] != 200+404 || beats("tok") != 1 {
		t.Fatalf("a racing pair answered %v, %d beats; want one 200 (recorded) and one 404", codes, beats("tok"))
	}
	// A lone push inserts at once when nothing races it.
	s.StatsRace(time.Millisecond)
	set(now.Add(59 * time.Second))
	code, body, date := get("tok")
	want := "{\"ok\":false,\"msg\":\"insert into `stat_minutely` (`down`, `monitor_id`, `ping`, `ping_max`, `ping_min`, `timestamp`, `up`) values (0, 1, 12, 12, 12, 1795608000, 1) - SQLITE_CONSTRAINT: UNIQUE constraint failed: stat_minutely.monitor_id, stat_minutely.timestamp\"}"
	if code != 404 || body != want || date != "Wed, 25 Nov 2026 12:00:59 GMT" || beats("tok") != 1 {
		t.Errorf("later in the stuck minute: %d %s (Date %s), %d beats; want 404 %s, the server's Date, 1 beat", code, body, date, beats("tok"), want)
	}
	if code, _, _ := get("alone"); code != 200 || beats("alone") != 1 {
		t.Errorf("another token: %d, want 200 and recorded", code)
	}
	set(now.Add(time.Second))
	if code, _, _ := get("tok"); code != 200 || beats("tok") != 2 {
		t.Errorf("next minute: %d, %d beats; want 200 and recorded", code, beats("tok"))
	}
}
