package pusher

import (
	"net/url"
	"strings"
	"testing"
)

// TestRedactSpellings: the token is found in every spelling Uptime Kuma
// would decode to it: any subset of its characters percent-encoded, hex
// digits of either case, in a path or (encoded once more) in a query, and
// plain; Endpoint's token is the decoded one.
//
// Catches: tokenChar without %HH (the "len(s) >= 3" case removed), without
// %25HH (its case removed), hex digits of one case only (unhex without
// 'a'-'f'), and ParseEndpoint keeping the raw path's token (u.EscapedPath()
// for u.Path).
func TestRedactSpellings(t *testing.T) {
	const tok = "Mmwy7Tok3n"
	for _, tc := range []struct{ name, spelled string }{
		{"plain", tok},
		{"first escaped", "%4Dmwy7Tok3n"},
		{"lower-case hex", "%4dmwy7Tok3n"},
		{"some escaped", "M%6Dw%797T%6fk%33n"},
		{"all escaped", "%4D%6D%77%79%37%54%6F%6B%33%6E"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseEndpoint("https://u:pw@kuma.example/kuma/api/push/" + tc.spelled + "?status=up")
			if err != nil {
				t.Fatal(err)
			}
			if e.Token() != tok {
				t.Errorf("Token() = %q, want the decoded %q", e.Token(), tok)
			}
			texts := []string{
				"GET https://kuma.example/kuma/api/push/" + tc.spelled + "?status=up: EOF",
				"GET /API/PUSH/" + tc.spelled,
				"msg=see%20https%3A%2F%2Fkuma.example%2Fapi%2Fpush%2F" + strings.ReplaceAll(tc.spelled, "%", "%25") + "%3Fx",
			}
			for _, text := range texts {
				for name, got := range map[string]string{"Redact": Redact(text), "Endpoint.Redact": e.Redact(text)} {
					if matchesToken(got, tok) {
						t.Errorf("%s(%q) = %q: the token survives", name, text, got)
					}
				}
			}
			bare := "the token is " + tc.spelled + "."
			if got, want := e.Redact(bare), "the token is ****."; got != want {
				t.Errorf("Endpoint.Redact(%q) = %q, want %q", bare, got, want)
			}
			if s := e.String(); matchesToken(s, tok) || !strings.Contains(s, "/kuma/api/push/****?") || strings.Contains(s, "pw") {
				t.Errorf("String() = %q", s)
			}
		})
	}
	if got := Redact("api/push/%zz and api/push/%2F"); got != "api/push/%zz and api/push/%2F" {
		t.Errorf("Redact of non-token escapes = %q", got)
	}
}

// matchesToken reports whether tok is in s once s is URL-decoded, up to
// twice.
func matchesToken(s, tok string) bool {
	for range 3 {
		if strings.Contains(s, tok) {
			return true
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return false
		}
		s = d
	}
	return false
}
