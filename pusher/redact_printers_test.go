package pusher

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestPushErrorsNoTokenSpelling: whatever spelling of the token the push
// URL carries (plain, %HH with hex digits of either case, some or all
// characters), and however a server echoes it back (as sent, decoded, in a
// query once more encoded), no error Push returns, no error in its chain
// and no Attempt.Err shows it in any spelling.
//
// Catches: redactURLErrors dropped (an unwrapped *url.Error shows the URL
// as sent), tokenChar without its %HH case (the escaped echo shows).
func TestPushErrorsNoTokenSpelling(t *testing.T) {
	const tok = "Sp3llT0ken"
	spellings := []struct{ name, spelled string }{
		{"plain", tok},
		{"all escaped", "%53%70%33%6C%6C%54%30%6B%65%6E"},
		{"some escaped, mixed-case hex", "S%70%33ll%54%30%6b%65n"},
	}
	// escaped is tok with every character %HH, hex digits of mixed case.
	var escaped strings.Builder
	for i := range len(tok) {
		f := "%%%02X"
		if i%2 == 1 {
			f = "%%%02x"
		}
		fmt.Fprintf(&escaped, f, tok[i])
	}
	// echo answers with the request line as received, the token bare and
	// escaped, and the URL once more encoded, as a careless server or
	// proxy might.
	echo := func(r *http.Request) string {
		raw := r.URL.EscapedPath()
		return fmt.Sprintf("%s %s; token %s, %s; see /?u=%s", r.Method, raw, tok, escaped.String(),
			strings.ReplaceAll(strings.ReplaceAll(raw, "%", "%25"), "/", "%2F"))
	}
	faults := []struct {
		name   string
		handle func(w http.ResponseWriter, r *http.Request)
		url    string // instead of the server's, when set
	}{
		{"refused", nil, "http://127.0.0.1:9"},
		{"rejected, msg echoes", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", jsonCT)
			w.WriteHeader(404)
			fmt.Fprintf(w, `{"ok":false,"msg":"Monitor not found or not active. %s"}`, echo(r))
		}, ""},
		{"fault, msg echoes", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", jsonCT)
			w.WriteHeader(404)
			fmt.Fprintf(w, `{"ok":false,"msg":"Knex: Timeout acquiring a connection. %s"}`, echo(r))
		}, ""},
		{"html 404 echoes", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(404)
			fmt.Fprintf(w, "<pre>Cannot GET %s</pre>", echo(r))
		}, ""},
		{"500 text echoes", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			fmt.Fprint(w, echo(r))
		}, ""},
		{"redirect elsewhere", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.2:1"+r.URL.EscapedPath()+"?t="+tok, http.StatusFound)
		}, ""},
	}
	for _, f := range faults {
		for _, sp := range spellings {
			t.Run(f.name+"/"+sp.name, func(t *testing.T) {
				base := f.url
				if f.handle != nil {
					srv := httptest.NewServer(http.HandlerFunc(f.handle))
					defer srv.Close()
					base = srv.URL
				}
				var waits []time.Duration
				c := testClient(mustEndpoint(t, base+"/api/push/"+sp.spelled+"?status=up"), &waits)
				c.MaxAttempts = 2
				var attempts []Attempt
				c.OnAttempt = func(a Attempt) { attempts = append(attempts, a) }
				_, err := c.Push(context.Background(), Beat{Msg: "done"})
				if err == nil {
					t.Fatal("Push succeeded")
				}
				t.Log(err)
				for e := err; e != nil; e = errors.Unwrap(e) {
					if showsToken(e.Error(), tok) {
						t.Errorf("%T in the error's chain shows the token: %q", e, e)
					}
				}
				for _, a := range attempts {
					if a.Err != nil && showsToken(a.Err.Error(), tok) {
						t.Errorf("attempt %d: error shows the token: %q", a.N, a.Err)
					}
				}
			})
		}
	}
}

// showsToken reports whether tok is in s in any letter case, as it is or
// once s is URL-decoded, up to twice.
func showsToken(s, tok string) bool {
	tok = strings.ToLower(tok)
	for range 3 {
		if strings.Contains(strings.ToLower(s), tok) {
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
