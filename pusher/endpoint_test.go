package pusher

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		raw     string
		wantErr string // substring; empty: valid
	}{
		{"https://kuma.example.com/api/push/AbC123", ""},
		{"http://127.0.0.1:3001/api/push/a", ""},
		{"https://host/kuma/api/push/AbC123?status=up&msg=OK&ping=", ""},
		{"  https://host/api/push/AbC123\n", ""},
		{"https://host/api/push/" + strings.Repeat("a", 32), ""},
		{"https://host/api/push/" + strings.Repeat("a", 33), "1-32 letters and digits"},
		{"", "empty URL"},
		{"ftp://host/api/push/AbC123", "scheme must be http or https"},
		{"host/api/push/AbC123", "scheme must be http or https"},
		{"https:///api/push/AbC123", "missing host"},
		{"https://host/api/push/", "missing push token"},
		{"https://host/api/push/AbC123/", "unexpected path after the push token"},
		{"https://host/api/pus/AbC123", "not a push URL"},
		{"https://host/api/push/Ab-C123", "letters and digits"},
		{"https://host/api/push/AbC123#frag", "#fragment"},
		{"https://host/api/push/AbC123?status=UP", `status "UP" is not up or down`},
		{"https://host/api/push/AbC123?ping=abc", "not a plain decimal number"},
		{"https://host/api/push/AbC123?ping=1_000", "not a plain decimal number"},
		{"https://host/api/push/AbC123?ping=86400001", "out of range"},
		{"https://ho st/api/push/AbC123", "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			e, err := ParseEndpoint(tt.raw)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseEndpoint: %v", err)
				}
				if strings.Contains(e.String(), e.Token()) {
					t.Errorf("String() %q shows the token", e.String())
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseEndpoint(%q) = nil error, want %q", tt.raw, tt.wantErr)
			}
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Errorf("error %T is not a *UsageError", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "AbC123") {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}

func TestEndpointURL(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		h    Beat
		want url.Values
	}{
		{"defaults", "https://h/api/push/T", Beat{Elapsed: 1500 * time.Millisecond},
			url.Values{"status": {"up"}, "msg": {"OK"}, "ping": {"1500"}}},
		{"ui url: empty ping filled", "https://h/api/push/T?status=up&msg=OK&ping=", Beat{Elapsed: 42 * time.Millisecond},
			url.Values{"status": {"up"}, "msg": {"OK"}, "ping": {"42"}}},
		{"url values kept", "https://h/api/push/T?status=down&msg=hi&ping=7&x=1", Beat{Elapsed: time.Second},
			url.Values{"status": {"down"}, "msg": {"hi"}, "ping": {"7"}, "x": {"1"}}},
		{"flags win", "https://h/api/push/T?status=down&msg=hi&ping=7", Beat{Status: "up", Msg: "yo", Ping: "3.5"},
			url.Values{"status": {"up"}, "msg": {"yo"}, "ping": {"3.5"}}},
		{"msg cleaned", "https://h/api/push/T", Beat{Msg: "a\nb\x00c\td\xff"},
			url.Values{"status": {"up"}, "msg": {"a bc d\uFFFD"}, "ping": {"0"}}},
		{"ping clamped", "https://h/api/push/T", Beat{Elapsed: 48 * time.Hour},
			url.Values{"status": {"up"}, "msg": {"OK"}, "ping": {"86400000"}}},
		{"ping canonical", "https://h/api/push/T", Beat{Ping: "0012.500"},
			url.Values{"status": {"up"}, "msg": {"OK"}, "ping": {"12.5"}}},
		{"url ping canonical", "https://h/api/push/T?ping=007.0", Beat{},
			url.Values{"status": {"up"}, "msg": {"OK"}, "ping": {"7"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseEndpoint(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			got := e.URL(tt.h)
			if got.Path != "/api/push/T" {
				t.Errorf("path %q", got.Path)
			}
			if got.Query().Encode() != tt.want.Encode() {
				t.Errorf("query %q, want %q", got.Query().Encode(), tt.want.Encode())
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, token, want string }{
		{`Get "https://h/api/push/AbC123?x=1": EOF`, "", `Get "https://h/api/push/****?x=1": EOF`},
		{"https://u:pw@h/api/push/AbC123", "", "https://u:****@h/api/push/****"},
		{"redirected to /other/AbC123", "AbC123", "redirected to /other/****"},
		{"nothing secret", "AbC123", "nothing secret"},
		{"curl -fsS https://KUMA/API/Push/AbC123&x", "", "curl -fsS https://KUMA/API/Push/****&x"},
		{"q=https%3A%2F%2Fh%2Fapi%2Fpush%2FAbC123%3Fx", "", "q=https%3A%2F%2Fh%2Fapi%2Fpush%2F****%3Fx"},
		{"line 1\nPOST http://a/api/push/One\nand http://b/api/push/Two) done", "", "line 1\nPOST http://a/api/push/****\nand http://b/api/push/****) done"},
		{"a://x:1@h b://y:2@h c://z@h", "", "a://x:****@h b://y:****@h c://z@h"},
		{"ftp://h/path:x@y mailto:a@b", "", "ftp://h/path:x@y mailto:a@b"},
		{"/api/push/ and api/push/-x", "", "/api/push/ and api/push/-x"},
		{"", "", ""},
		{"GET /api/push/lTTeYggIKbuqHfJAkTt1EtK8VUCzbuUi?x", "", "GET /api/push/****?x"},
	}
	for _, tt := range tests {
		if got := redactText(tt.in, tt.token); got != tt.want {
			t.Errorf("redactText(%q, %q) = %q, want %q", tt.in, tt.token, got, tt.want)
		}
	}
	if got := Redact("see https://h/api/push/AbC123"); got != "see https://h/api/push/****" {
		t.Errorf("Redact = %q", got)
	}
}

func TestParsePing(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12", "12"}, {"12.5", "12.5"}, {"0", "0"}, {"00", "0"}, {"012", "12"}, {"12.50", "12.5"},
		{"12.0", "12"}, {"0.25", "0.25"}, {"86400000", "86400000"}, {"86400000.0", "86400000"},
		{"1_000", ""}, {"0x1p4", ""}, {"0x10", ""}, {"1e3", ""}, {"+5", ""}, {"-1", ""}, {"-0", ""},
		{"inf", ""}, {"Inf", ""}, {"nan", ""}, {"NaN", ""}, {"", ""}, {".5", ""}, {"5.", ""}, {" 5", ""},
		{"5 ", ""}, {"1.2.3", ""}, {"86400000.5", ""}, {"86400001", ""}, {"٣", ""},
	}
	for _, tt := range tests {
		got, err := ParsePing(tt.in)
		if tt.want == "" {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Errorf("ParsePing(%q) = %q, %v; want a *UsageError", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParsePing(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatPing(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0"}, {-time.Second, "0"}, {1499 * time.Microsecond, "1"}, {1500 * time.Microsecond, "2"},
		{time.Hour, "3600000"}, {25 * time.Hour, "86400000"},
	}
	for _, tt := range tests {
		if got := FormatPing(tt.d); got != tt.want {
			t.Errorf("FormatPing(%v) = %s, want %s", tt.d, got, tt.want)
		}
	}
}

func TestBeatValidate(t *testing.T) {
	tests := []struct {
		h  Beat
		ok bool
	}{
		{Beat{}, true},
		{Beat{Status: "up", Msg: "fine", Ping: "12.5"}, true},
		{Beat{Status: "down"}, true},
		{Beat{Status: "ok"}, false},
		{Beat{Ping: "-1"}, false},
		{Beat{Ping: "NaN"}, false},
		{Beat{Ping: "1e20"}, false},
		{Beat{Msg: strings.Repeat("x", MaxMsgLen+1)}, false},
	}
	for _, tt := range tests {
		if err := tt.h.Validate(); (err == nil) != tt.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tt.h, err, tt.ok)
		}
	}
}

// FuzzEndpoint checks that any input either fails to parse with a message
// free of the token, or parses into an endpoint whose built URL keeps the
// token and path and whose printed form hides the token.
func FuzzEndpoint(f *testing.F) {
	for _, s := range []string{
		"https://kuma.example.com/api/push/AbC123?status=up&msg=OK&ping=",
		"http://h:1/x/api/push/t?msg=a%20b&ping=1.5&extra=%00",
		"https://u:p@h/api/push/ZZ",
		"https://h/api/push/ab/cd", "https://h/api/push/%41", "::", "",
	} {
		f.Add(s, "msg", "12")
	}
	f.Fuzz(func(t *testing.T, raw, msg, ping string) {
		e, err := ParseEndpoint(raw)
		if err != nil {
			return
		}
		h := Beat{Msg: msg, Ping: ping}
		if h.Validate() != nil {
			h = Beat{Msg: "x"}
		}
		u := e.URL(h)
		back, err := ParseEndpoint(u.String())
		if err != nil {
			t.Fatalf("built URL %q does not parse: %v", u, err)
		}
		if back.Token() != e.Token() {
			t.Fatalf("token changed: %q -> %q", e.Token(), back.Token())
		}
		if strings.Contains(e.String(), e.Token()) {
			t.Fatalf("String() %q shows the token %q", e.String(), e.Token())
		}
		if strings.Contains(e.Redact(u.String()), e.Token()) {
			t.Fatalf("Redact(%q) shows the token", u)
		}
		q := u.Query()
		if q.Get("status") == "" || q.Get("ping") == "" {
			t.Fatalf("built URL %q lacks status or ping", u)
		}
		if _, err := ParsePing(q.Get("ping")); err != nil {
			t.Fatalf("built ping %q invalid: %v", q.Get("ping"), err)
		}
	})
}

func TestEndpointURLEncoding(t *testing.T) {
	e, err := ParseEndpoint("https://h/api/push/T")
	if err != nil {
		t.Fatal(err)
	}
	got := e.URL(Beat{Msg: "a b+c&d=e/é", Ping: "5"}).RawQuery
	if want := "msg=a%20b%2Bc%26d%3De%2F%C3%A9&ping=5&status=up"; got != want {
		t.Errorf("RawQuery %q, want %q", got, want)
	}
}

// FuzzRedact checks that a token after api/push/ never survives Redact,
// whatever surrounds it.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"", "x", "https://h/", "\n", "%2F", "API/PUSH/"} {
		f.Add(s, "AbC123xyz9", s)
	}
	f.Fuzz(func(t *testing.T, before, token, after string) {
		if !validToken(token) || len(token) < 4 || (after != "" && isAlnum(after[0])) {
			return
		}
		text := before + "/api/push/" + token + after
		if got := Redact(text); strings.Contains(got, "/api/push/"+token) {
			t.Fatalf("Redact(%q) = %q keeps the token", text, got)
		}
		if got := redactText(text, token); strings.Contains(got, token) {
			t.Fatalf("redactText(%q, %q) = %q keeps the token", text, token, got)
		}
	})
}
