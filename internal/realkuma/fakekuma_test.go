package realkuma

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/opkuma/opkuma/internal/fakekuma"
)

// answer is what a push route answered to one raw request.
type answer struct {
	Status      int
	ContentType string // media type only
	JSON        any    // the body decoded, when it is JSON
	Text        string // an HTML error page's <pre> text (Express's "Cannot POST /path"), else the body when not HTML or JSON
	Beat        bool   // a heartbeat was recorded
}

// preText finds Express's error text; the rest of an HTML page (title,
// the SPA's index page) is not the push route's answer.
var preText = regexp.MustCompile(`(?s)<pre>(.*?)</pre>`)

func send(t *testing.T, base, method, uri string) answer {
	t.Helper()
	req, err := http.NewRequest(method, base+uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, uri, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{Status: resp.StatusCode}
	a.ContentType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if json.Unmarshal(b, &a.JSON) != nil {
		a.JSON = nil
		switch m := preText.FindSubmatch(b); {
		case m != nil:
			a.Text = string(m[1])
		case a.ContentType != "text/html":
			a.Text = string(b)
		}
	}
	return a
}

// TestFakeKumaAgrees sends the same raw requests to the real server and to
// the stand-in internal/fakekuma (as the same version) and reports every
// difference in status code, content type, body and whether a heartbeat
// was recorded.
func TestFakeKumaAgrees(t *testing.T) {
	EachVersion(t, func(t *testing.T, in *Install) {
		s := Start(t, in)
		tok := in.Setup.PushToken
		paused, err := s.AddMonitor(map[string]any{"name": "paused"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Pause(paused.ID); err != nil {
			t.Fatal(err)
		}
		v := fakekuma.V1
		if in.Major() >= 2 {
			v = fakekuma.V2
		}
		fake := fakekuma.New(v)
		fake.AddMonitor(tok, true)
		fake.AddMonitor(paused.PushToken, false)
		fs := httptest.NewServer(fake)
		defer fs.Close()

		wrong := "Wr0ngToken" + strings.Repeat("x", len(tok)-10)
		cases := []struct {
			name, method, token, query string
		}{
			{"accepted", "GET", tok, "?status=up&msg=OK&ping=12"},
			{"no query", "GET", tok, ""},
			{"wrong token", "GET", wrong, "?status=up&msg=OK"},
			{"paused", "GET", paused.PushToken, "?status=up&msg=OK"},
			{"status=ok", "GET", tok, "?status=ok&msg=x"},
			{"status=down", "GET", tok, "?status=down&msg=exit%203"},
			{"POST", "POST", tok, "?status=up&msg=OK"},
			{"PUT", "PUT", tok, "?status=up"},
			{"HEAD", "HEAD", tok, "?status=up&msg=head"},
			{"decimal ping", "GET", tok, "?status=up&ping=1234.5"},
			{"unicode msg", "GET", tok, "?status=up&msg=done%20in%201.2s%20%E2%80%94%20%E2%9C%93%20ok"},
			{"ping not a number", "GET", tok, "?status=up&ping=abc"},
			{"ping 0x1p4", "GET", tok, "?status=up&ping=0x1p4"},
			{"ping 1_000", "GET", tok, "?status=up&ping=1_000"},
			{"ping negative", "GET", tok, "?status=up&ping=-5"},
			{"ping above 24 h", "GET", tok, "?status=up&ping=86400001"},
			{"ping above 1e11", "GET", tok, "?status=up&ping=100000000001"},
			{"paused, ping out of range", "GET", paused.PushToken, "?status=up&ping=-5"},
			{"trailing slash", "GET", tok, "/?status=up"},
			{"extra path segment", "GET", tok, "/extra?status=up"},
			{"token in other case", "GET", strings.ToLower(tok), "?status=up"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				uri := "/api/push/" + c.token + c.query
				before := len(s.MustHeartbeats(t, 0))
				real := send(t, s.URL, c.method, uri)
				after := s.MustHeartbeats(t, 0)
				real.Beat = len(after) > before
				n := len(fake.Requests(c.token))
				stand := send(t, fs.URL, c.method, uri)
				rs := fake.Requests(c.token)
				stand.Beat = len(rs) > n && rs[len(rs)-1].Beat
				if !reflect.DeepEqual(real, stand) {
					recorded := ""
					if real.Beat {
						recorded = " " + after[len(after)-1].String()
					}
					t.Errorf("%s %s\nreal Uptime Kuma %s: %s%s\nfakekuma %-9s: %s", c.method, strings.ReplaceAll(uri, c.token, "<token>"),
						in.Version, show(real, c.token), recorded, v, show(stand, c.token))
				}
			})
		}
	})
}

func show(a answer, token string) string {
	body := a.Text
	if a.JSON != nil {
		b, _ := json.Marshal(a.JSON)
		body = string(b)
	}
	return strings.ReplaceAll(
		strings.Join([]string{http.StatusText(a.Status), "(", itoa(a.Status), ")", a.ContentType, body, "beat:", boolStr(a.Beat)}, " "),
		token, "<token>")
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func boolStr(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
