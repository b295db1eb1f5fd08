package fakekuma

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
