package kumaapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/opkuma/opkuma/internal/kumaapi/kumatest"
)

var versions = []string{"1.23.17", "2.5.3"}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dialLogin(t *testing.T, s *kumatest.Server, cr Credentials) (*Client, error) {
	t.Helper()
	c, err := Dial(testCtx(t), s.Start(), Options{UserAgent: "opkuma/test"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if cr.Username == "" {
		cr.Username, cr.Password = "admin", s.Password
	}
	if cr.Now == nil && !s.Now.IsZero() {
		cr.Now = func() time.Time { return s.Now }
	}
	return c, c.Login(testCtx(t), cr)
}

// Catches: Dial not waiting for "info" (2.x drops the login), Login not
// waiting for the lists sent after the 1.23 login ack, a wrong Version or
// DefaultNotifications.
func TestLoginWaitsForServerState(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			s := kumatest.New(t, v)
			c, err := dialLogin(t, s, Credentials{})
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if got := c.Version(); got != v {
				t.Errorf("Version = %q, want %q", got, v)
			}
			ms, err := c.Monitors()
			if err != nil || len(ms) != 1 || ms[0].Name != "web" || ms[0].Type != "http" || !ms[0].Active {
				t.Errorf("Monitors = %+v, %v", ms, err)
			}
			if ids, err := c.DefaultNotifications(); err != nil || !reflect.DeepEqual(ids, []int{2}) {
				t.Errorf("DefaultNotifications = %v, %v; want [2]", ids, err)
			}
			for _, e := range s.Events() {
				if strings.HasPrefix(e, "dropped:") {
					t.Errorf("sent before the server's info: %s", e)
				}
			}
		})
	}
}

// Catches: no pong to the server's ping (the stand-in, like Engine.IO,
// stops answering), a pong without the ping's payload.
func TestPingPong(t *testing.T) {
	s := kumatest.New(t, "1.23.17")
	s.PingBeforeAck = true
	if _, err := dialLogin(t, s, Credentials{}); err != nil {
		t.Fatalf("Login: %v", err)
	}
	if ev := s.Events(); !reflect.DeepEqual(ev, []string{"login", "pong"}) {
		t.Errorf("stand-in saw %q, want login then pong", ev)
	}
}

// Catches: a refused login taken as success, the 2.x i18n key shown as is,
// 2FA's tokenRequired not told apart.
func TestLoginRefused(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			s := kumatest.New(t, v)
			_, err := dialLogin(t, s, Credentials{Username: "admin", Password: "wrong"})
			var le *LoginError
			if !errors.As(err, &le) || le.Msg != "Incorrect username or password." {
				t.Errorf("wrong password: err = %v, want LoginError Incorrect username or password.", err)
			}
			s = kumatest.New(t, v)
			s.TOTPSecret = []byte("12345678901234567890")
			_, err = dialLogin(t, s, Credentials{})
			if !errors.Is(err, ErrTwoFactorRequired) {
				t.Errorf("2FA on, no secret: err = %v, want ErrTwoFactorRequired", err)
			}
		})
	}
}

// Catches: no TOTP code sent, a wrong code, and no second try with the
// next period's code when the current one was used by the last login.
func TestLoginTOTP(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			s := kumatest.New(t, v)
			s.TOTPSecret = []byte("12345678901234567890")
			s.Now = time.Unix(1_700_000_000, 0)
			if _, err := dialLogin(t, s, Credentials{TOTPSecret: s.TOTPSecret}); err != nil {
				t.Fatalf("first login: %v", err)
			}
			// Same 30 s period: the code just used is refused once.
			if _, err := dialLogin(t, s, Credentials{TOTPSecret: s.TOTPSecret}); err != nil {
				t.Fatalf("second login in the same period: %v", err)
			}
			if _, err := dialLogin(t, s, Credentials{TOTPSecret: []byte("another secret")}); err == nil {
				t.Errorf("wrong secret: logged in")
			}
		})
	}
}

// Catches: conditions not sent to 2.x, or sent to 1.23 (no such column),
// the monitor id not returned, the tag events' arguments out of order,
// Refresh not renewing the list.
func TestAddGetTag(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			s := kumatest.New(t, v)
			c, err := dialLogin(t, s, Credentials{})
			if err != nil {
				t.Fatal(err)
			}
			ctx := testCtx(t)
			id, err := c.Add(ctx, map[string]any{"type": "push", "name": "backup", "pushToken": "tok", "interval": 3720, "active": true})
			if err != nil || id != 2 {
				t.Fatalf("Add = %d, %v; want 2", id, err)
			}
			tag, err := c.AddTag(ctx, "cron", "#2563EB")
			if err != nil || tag.ID != 1 {
				t.Fatalf("AddTag = %+v, %v", tag, err)
			}
			if err := c.AddMonitorTag(ctx, tag.ID, id, "nightly"); err != nil {
				t.Fatal(err)
			}
			m, err := c.GetMonitor(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want := Monitor{ID: 2, Name: "backup", Type: "push", Active: true, Interval: 3720, PushToken: "tok",
				Tags: []Tag{{ID: 1, Name: "cron", Color: "#2563EB", Value: "nightly"}}}
			m.raw = nil
			if !reflect.DeepEqual(m, want) || !m.HasTag("cron") || m.HasTag("other") {
				t.Errorf("GetMonitor = %+v\nwant %+v", m, want)
			}
			if ms, _ := c.Monitors(); len(ms) != 1 {
				t.Errorf("Monitors before Refresh: %d, want the login's 1", len(ms))
			}
			if err := c.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			if ms, _ := c.Monitors(); len(ms) != 2 || ms[1].Name != "backup" {
				t.Errorf("Monitors after Refresh: %+v", ms)
			}
			tags, err := c.Tags(ctx)
			if err != nil || len(tags) != 1 || tags[0].Name != "cron" {
				t.Errorf("Tags = %+v, %v", tags, err)
			}
			if _, err := c.GetMonitor(ctx, 99); err == nil {
				t.Errorf("GetMonitor(99): no error")
			}
		})
	}
}

// Catches: EditMonitor sending only the changed fields (Uptime Kuma sets
// every field from the object: the rest would be wiped), or dropping one.
func TestEditMonitorKeepsTheRest(t *testing.T) {
	s := kumatest.New(t, "2.5.3")
	s.SetField(1, "notificationIDList", map[string]any{"3": true})
	s.SetField(1, "description", "mine")
	c, err := dialLogin(t, s, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	m, err := c.GetMonitor(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EditMonitor(ctx, m, map[string]any{"interval": 120}); err != nil {
		t.Fatal(err)
	}
	got := s.Monitor(1)
	if got["interval"] != float64(120) || got["description"] != "mine" || !reflect.DeepEqual(got["notificationIDList"], map[string]any{"3": true}) || got["name"] != "web" {
		t.Errorf("saved %v", got)
	}
	if err := c.EditMonitor(ctx, Monitor{ID: 1}, nil); err == nil {
		t.Errorf("EditMonitor of a monitor not read by GetMonitor: no error")
	}
}

// Catches: the socket.io path not under the prefix, a trailing slash
// doubled.
func TestPathPrefix(t *testing.T) {
	for _, base := range []string{"/kuma", "/kuma/"} {
		s := kumatest.New(t, "1.23.17")
		s.Prefix = "/kuma"
		c, err := Dial(testCtx(t), strings.TrimSuffix(s.Start(), "/kuma")+base, Options{})
		if err != nil {
			t.Fatalf("Dial %s: %v", base, err)
		}
		c.Close()
	}
}

// Catches: an HTTP error or a foreign WebSocket server taken for Uptime
// Kuma, a bad address accepted.
func TestDialErrors(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		_ = ws.Write(r.Context(), websocket.MessageText, []byte("hello"))
	}))
	t.Cleanup(echo.Close)
	_, err := Dial(testCtx(t), echo.URL, Options{})
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		t.Errorf("not Engine.IO: err = %v, want ProtocolError", err)
	}
	for _, bad := range []string{"kuma.example.com", "ftp://x", "http://", "http://u:p@x", "http://x/?a=1", "http://x/#f"} {
		if _, err := ParseBaseURL(bad); err == nil {
			t.Errorf("ParseBaseURL(%q): no error", bad)
		}
	}
	if u, err := ParseBaseURL(" https://x/kuma/ "); err != nil || u.String() != "https://x/kuma" {
		t.Errorf("ParseBaseURL = %v, %v", u, err)
	}
}

// TestDialWrongAddress (#16): when the WebSocket handshake fails, Dial
// asks the socket.io URL with a plain GET and names what answered, without
// the query: Uptime Kuma itself at another prefix closes the upgrade
// without a word (EOF, as the real servers do) and its web UI answers the
// GET; a proxy that drops the upgrade still passes socket.io over HTTP.
// Mutations caught: no probe (the bare EOF), the Engine.IO handshake not
// recognised (a wrong address told for a proxy that drops upgrades),
// redirects followed (the login page's 200 told, not the redirect).
func TestDialWrongAddress(t *testing.T) {
	s := kumatest.New(t, "2.5.3")
	kuma := s.Start()
	dropUpgrade := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Upgrade")
		r.Header.Del("Connection")
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(dropUpgrade.Close)
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			w.Header().Set("Content-Type", "text/html")
			return
		}
		http.Redirect(w, r, "https://sso.example.com/login?rd=secret", http.StatusFound)
	}))
	t.Cleanup(auth.Close)
	for _, tc := range []struct{ base, want string }{
		{kuma + "/kuma", "no socket.io at " + kuma + "/kuma/socket.io/: it answers an HTML page (HTTP 200): is Uptime Kuma at " + kuma + "/kuma? try the address you open in the browser, without /dashboard"},
		{kuma + "/dashboard", "no socket.io at " + kuma + "/dashboard/socket.io/: it answers an HTML page (HTTP 200): is Uptime Kuma at " + kuma + "/dashboard? try " + kuma + ", without /dashboard"},
		{plain.URL, "no socket.io at " + plain.URL + "/socket.io/: it answers HTTP 404 (text/plain): is Uptime Kuma at " + plain.URL + "? try the address you open in the browser, without /dashboard"},
		{auth.URL, "no socket.io at " + auth.URL + "/socket.io/: it answers a redirect (HTTP 302) to https://sso.example.com/login: is Uptime Kuma at " + auth.URL + "?"},
		{dropUpgrade.URL, dropUpgrade.URL + "/socket.io/ answers socket.io over HTTP, but its WebSocket upgrade failed (HTTP 400): the reverse proxy in front of Uptime Kuma must pass WebSocket upgrades (the Upgrade and Connection headers)"},
	} {
		_, err := Dial(testCtx(t), tc.base, Options{})
		var he *HandshakeError
		if !errors.As(err, &he) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Dial %s:\n got %v\nwant %s", tc.base, err, tc.want)
		}
	}
}

// Catches: a call hanging when the server goes away, an answer that is
// not an object taken as success.
func TestConnectionEnds(t *testing.T) {
	s := kumatest.New(t, "1.23.17")
	c, err := dialLogin(t, s, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	s.CloseOn = "getMonitor"
	if _, err := c.GetMonitor(testCtx(t), 1); !errors.Is(err, ErrClosed) {
		t.Errorf("server closed: err = %v, want ErrClosed", err)
	}
	s = kumatest.New(t, "1.23.17")
	c, err = dialLogin(t, s, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	s.NotJSONAck = true
	var pe *ProtocolError
	if _, err := c.GetMonitor(testCtx(t), 1); !errors.As(err, &pe) {
		t.Errorf("non-object answer: err = %v, want ProtocolError", err)
	}
}

// RFC 6238 appendix B, SHA-1, last 6 digits. Catches a wrong counter, a
// wrong dynamic truncation, a lost leading zero.
func TestTOTP(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, tc := range []struct {
		t    int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		if got := TOTP(key, time.Unix(tc.t, 0)); got != tc.want {
			t.Errorf("TOTP(%d) = %s, want %s", tc.t, got, tc.want)
		}
	}
}

// Catches: padding, case, spaces or the otpauth URI not accepted; garbage
// accepted.
func TestParseTOTPSecret(t *testing.T) {
	for _, in := range []string{
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"gezd gnbv gy3t qojq gezd gnbv gy3t qojq\n",
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====",
		"otpauth://totp/Uptime%20Kuma:admin?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
	} {
		if key, err := ParseTOTPSecret(in); err != nil || string(key) != "12345678901234567890" {
			t.Errorf("ParseTOTPSecret(%q) = %q, %v", in, key, err)
		}
	}
	for _, in := range []string{"", "not base32!", "otpauth://totp/x?issuer=y"} {
		if _, err := ParseTOTPSecret(in); err == nil {
			t.Errorf("ParseTOTPSecret(%q): no error", in)
		}
	}
}
