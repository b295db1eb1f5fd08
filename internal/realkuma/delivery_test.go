package realkuma

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The tests below run the opkuma binary against each real server and read
// what the server recorded in its database. The push goes through a
// recording Proxy, which counts the requests opkuma really sent.

// TestSuccessRecordedOnce: a job that exits 0 gives exactly one request and
// one UP heartbeat, with the message and ping opkuma sent.
func TestSuccessRecordedOnce(t *testing.T) {
	EachVersion(t, func(t *testing.T, in *Install) {
		s := Start(t, in)
		p := NewProxy(t, s.URL)
		tok, id := in.Setup.PushToken, in.Setup.MonitorID

		r := opkuma(t, nil, "run", "--url", p.PushURL(tok), "--msg", "backup done — ✓ 12 files", "--ping", "1234.5", "--", "true")
		noToken(t, "opkuma's output", r.stdout+r.stderr, tok)
		if r.code != 0 || r.stdout != "" || r.stderr != "" {
			t.Errorf("exit %d, stdout %q, stderr %q; want 0 and nothing printed", r.code, r.stdout, r.stderr)
		}
		// The run's duration as ping: a job that sleeps 100 ms.
		r = opkuma(t, nil, "run", "--url", p.PushURL(tok), "--", "sleep", "0.1")
		if r.code != 0 {
			t.Errorf("second run: exit %d, want 0", r.code)
		}
		if ex := p.Exchanges(); len(ex) != 2 || ex[0].Method != http.MethodGet || ex[0].Status != 200 || ex[1].Status != 200 {
			t.Errorf("requests: %s; want 2 GET answered 200", describe(ex))
		}
		hb := s.MustHeartbeats(t, id)
		if len(hb) != 2 {
			t.Fatalf("heartbeats: %+v; want exactly 2 (one per run)", hb)
		}
		if hb[0].Status != Up || hb[0].Msg != "backup done — ✓ 12 files" || hb[0].Ping == nil || *hb[0].Ping != 1234.5 {
			t.Errorf("first heartbeat: %s; want UP, msg as sent, ping 1234.5", hb[0])
		}
		if hb[1].Status != Up || hb[1].Msg != "OK" || hb[1].Ping == nil || *hb[1].Ping < 100 || *hb[1].Ping > 60_000 {
			t.Errorf("second heartbeat: %s; want UP, msg OK, ping = the run's duration (>= 100 ms)", hb[1])
		}
	})
}

// TestDownOnFailure: with --down-on-failure a failing job records one DOWN
// heartbeat whose message gives the exit code and the job's last line, with
// the push URL the job printed redacted; opkuma exits with the job's code.
func TestDownOnFailure(t *testing.T) {
	EachVersion(t, func(t *testing.T, in *Install) {
		s := Start(t, in)
		p := NewProxy(t, s.URL)
		tok, id := in.Setup.PushToken, in.Setup.MonitorID
		line := "upload failed, check " + p.PushURL(tok) + "?status=up"
		r := opkuma(t, nil, "run", "--url", p.PushURL(tok), "--down-on-failure", "--",
			"sh", "-c", `echo "$0" >&2; exit 3`, line)
		if r.code != 3 {
			t.Errorf("exit %d, want the job's 3", r.code)
		}
		if r.stderr != line+"\n" {
			t.Errorf("stderr %q, want the job's line only", r.stderr)
		}
		noToken(t, "opkuma's output", r.stdout+r.stderr, tok, line)
		ex := p.Exchanges()
		if len(ex) != 1 || ex[0].Status != 200 || !strings.Contains(ex[0].URI, "status=down") {
			t.Errorf("requests: %s; want one status=down answered 200", describe(ex))
		}
		for _, e := range ex {
			q := e.URI[strings.Index(e.URI, "?")+1:]
			noToken(t, "the down push's query", q, tok)
		}
		hb := s.MustHeartbeats(t, id)
		if len(hb) != 1 || hb[0].Status != Down {
			t.Fatalf("heartbeats: %+v; want one DOWN", hb)
		}
		if !strings.Contains(hb[0].Msg, "exit 3") || !strings.Contains(hb[0].Msg, "upload failed") {
			t.Errorf("down msg %q: want the exit code and the job's last line", hb[0].Msg)
		}
		noToken(t, "the recorded down message", hb[0].Msg, tok)
	})
}

// TestRejectedOnce: a wrong token and a paused monitor are refused; opkuma
// sends exactly one request, nothing is recorded, it says what the server
// said, and its exit code stays the job's.
func TestRejectedOnce(t *testing.T) {
	EachVersion(t, func(t *testing.T, in *Install) {
		s := Start(t, in)
		tok := in.Setup.PushToken
		wrong := "Wr0ngToken" + strings.Repeat("x", len(tok)-10)
		cases := []struct {
			name, token string
			pause       bool
			job         []string
			code        int
		}{
			{"wrong token", wrong, false, []string{"true"}, 0},
			{"wrong token, failing job", wrong, false, []string{"sh", "-c", "exit 7"}, 7},
			{"paused", tok, true, []string{"true"}, 0},
			{"paused, failing job", tok, true, []string{"sh", "-c", "exit 7"}, 7},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if c.pause {
					if err := s.Pause(in.Setup.MonitorID); err != nil {
						t.Fatal(err)
					}
				}
				p := NewProxy(t, s.URL)
				r := opkuma(t, nil, append([]string{"run", "--url", p.PushURL(c.token), "--down-on-failure", "--"}, c.job...)...)
				if r.code != c.code {
					t.Errorf("exit %d, want the job's %d", r.code, c.code)
				}
				if !strings.Contains(r.stderr, "Monitor not found or not active.") {
					t.Errorf("stderr %q: want the server's words", r.stderr)
				}
				noToken(t, "opkuma's output", r.stdout+r.stderr, c.token)
				if ex := p.Exchanges(); len(ex) != 1 || ex[0].Status != 404 {
					t.Errorf("requests: %s; want exactly one, answered 404", describe(ex))
				}
				if hb := s.MustHeartbeats(t, 0); len(hb) != 0 {
					t.Errorf("heartbeats: %+v; want none", hb)
				}
			})
		}
	})
}

// TestLockedDatabaseRetried: while another process holds an exclusive lock
// on kuma.db, the server answers the push with a fault (SQLITE_BUSY or a
// Knex pool timeout, 404 ok:false) and records nothing; opkuma retries and
// the beat is recorded exactly once after the lock is released. The lock is
// held 7 s: longer than the servers' busy timeouts (1.23: 1 s, 2.x: 5 s),
// so that each answers with a fault at least once.
func TestLockedDatabaseRetried(t *testing.T) {
	EachVersion(t, func(t *testing.T, in *Install) {
		s := Start(t, in)
		p := NewProxy(t, s.URL)
		tok, id := in.Setup.PushToken, in.Setup.MonitorID
		s.HoldLock(t, 7*time.Second)
		r := opkuma(t, nil, "run", "--url", p.PushURL(tok), "--verbose", "--", "true")
		noToken(t, "opkuma's output", r.stdout+r.stderr, tok)
		if r.code != 0 {
			t.Errorf("exit %d, want 0", r.code)
		}
		ex := p.Exchanges()
		t.Logf("requests: %s", describe(ex))
		ok := 0
		for _, e := range ex {
			if e.Status == 200 {
				ok++
			}
		}
		if len(ex) < 2 || ex[0].Status == 200 || ok != 1 || ex[len(ex)-1].Status != 200 {
			t.Errorf("requests: %s; want faults while locked, then exactly one answered 200", describe(ex))
		}
		hb := s.MustHeartbeats(t, id)
		if len(hb) != 1 || hb[0].Status != Up {
			t.Errorf("heartbeats: %+v; want exactly one UP", hb)
		}
	})
}

// TestSlowNotifierOnce: Uptime Kuma 2.x sends alert notifications before it
// answers a push. With a webhook that takes 15 s, opkuma must wait for the
// answer, not push again: one request, one UP heartbeat, one alert.
func TestSlowNotifierOnce(t *testing.T) {
	EachVersion(t, func(t *testing.T, in *Install) {
		if in.Major() < 2 {
			t.Skipf("Uptime Kuma %s answers a push before it notifies: a slow notifier cannot delay the answer", in.Version)
		}
		h := StartHook(t, 15*time.Second)
		s := Start(t, in)
		nid, err := s.AddWebhook(h.URL)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.AddMonitor(map[string]any{"name": "slow-notified", "maxretries": 0})
		if err != nil {
			t.Fatal(err)
		}
		// A DOWN first, before the webhook is attached, so that opkuma's UP
		// is a DOWN -> UP change: the one that sends an alert.
		resp, err := http.Get(s.PushURL(m.PushToken) + "?status=down&msg=seed")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("seeding a DOWN: %v %v", resp, err)
		}
		resp.Body.Close()
		if err := s.AttachNotification(m.ID, nid); err != nil {
			t.Fatal(err)
		}
		p := NewProxy(t, s.URL)
		r := opkuma(t, nil, "run", "--url", p.PushURL(m.PushToken), "--", "true")
		noToken(t, "opkuma's output", r.stdout+r.stderr, m.PushToken)
		if r.code != 0 {
			t.Errorf("exit %d, want 0", r.code)
		}
		if r.took < 15*time.Second {
			t.Errorf("opkuma took %v: the answer cannot come before the 15 s webhook", r.took)
		}
		ex := p.Exchanges() // also waits for requests opkuma gave up on
		if len(ex) != 1 || ex[0].Status != 200 {
			t.Errorf("requests: %s; want exactly one, answered 200", describe(ex))
		}
		hb := s.MustHeartbeats(t, m.ID)
		if len(hb) != 2 || hb[1].Status != Up {
			t.Errorf("heartbeats: %+v; want the seeded DOWN and exactly one UP", hb)
		}
		recv, _, err := h.Calls()
		if err != nil || len(recv) != 1 {
			t.Errorf("webhook calls: %q (%v); want exactly one alert", recv, err)
		}
	})
}

// TestTokenNowhere: the token goes nowhere but the push request: not in
// opkuma's output (verbose, errors, dry run, crontab --json), not in the
// job's environment, not in a down message, not in any other request.
func TestTokenNowhere(t *testing.T) {
	EachVersion(t, func(t *testing.T, in *Install) {
		s := Start(t, in)
		p := NewProxy(t, s.URL)
		tok, id := in.Setup.PushToken, in.Setup.MonitorID
		url := p.PushURL(tok)
		dir := t.TempDir()
		urlFile := filepath.Join(dir, "job.url")
		if err := os.WriteFile(urlFile, []byte(url+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		envFile := filepath.Join(dir, "env.txt")
		crontab := filepath.Join(dir, "crontab")
		if err := os.WriteFile(crontab, []byte("5 4 * * * opkuma run --url "+url+" -- /usr/sbin/logrotate\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		// The job prints the URL itself: that line is its output, not opkuma's.
		jobLine := "pushing to " + url
		runs := []struct {
			name string
			env  []string
			args []string
		}{
			{"success, URL from the environment", []string{"OPKUMA_URL=" + url},
				[]string{"run", "--verbose", "--", "sh", "-c", `env > "$0"`, envFile}},
			{"failure, down message", nil,
				[]string{"run", "--verbose", "--url-file", urlFile, "--down-on-failure", "--", "sh", "-c", `echo "$0"; exit 4`, jobLine}},
			{"command not found", nil,
				[]string{"run", "--url", url, "--", "/nonexistent/" + url}},
			{"dry run", nil,
				[]string{"run", "--dry-run", "--url", url, "--down-on-failure", "--", "curl", url}},
			{"crontab --json", nil,
				[]string{"crontab", "--json", crontab}},
			{"crontab", nil,
				[]string{"crontab", crontab}},
		}
		for _, r := range runs {
			res := opkuma(t, r.env, r.args...)
			noToken(t, r.name+": opkuma's stdout", res.stdout, tok, jobLine+"\n")
			noToken(t, r.name+": opkuma's stderr", res.stderr, tok)
		}
		env, err := os.ReadFile(envFile)
		if err != nil {
			t.Fatal(err)
		}
		noToken(t, "the job's environment", string(env), tok)
		for _, hb := range s.MustHeartbeats(t, id) {
			noToken(t, "a recorded heartbeat's msg", hb.Msg, tok)
		}
		for _, e := range p.Exchanges() {
			path, query, _ := strings.Cut(e.URI, "?")
			if path != "/api/push/"+tok {
				noToken(t, "a request to "+path, e.URI, tok)
			}
			noToken(t, "a push's query", query, tok)
			for k, v := range e.Header {
				noToken(t, "request header "+k, strings.Join(v, " "), tok)
			}
		}
	})
}

// encodedPushPath finds a push URL inside a query (a down message).
var encodedPushPath = regexp.MustCompile(`api%2Fpush%2F[A-Za-z0-9]+`)

// describe lists exchanges for a failure message, tokens hidden.
func describe(ex []Exchange) string {
	if len(ex) == 0 {
		return "none"
	}
	var b strings.Builder
	for i, e := range ex {
		if i > 0 {
			b.WriteString("; ")
		}
		uri := pushPath.ReplaceAllString(e.URI, "/api/push/<token>")
		uri = encodedPushPath.ReplaceAllString(uri, "api%2Fpush%2F<token>")
		fmt.Fprintf(&b, "%s %s -> %d %.120s (%v)", e.Method, uri, e.Status, strings.TrimSpace(e.Body), e.End.Sub(e.Start).Round(time.Millisecond))
	}
	return b.String()
}
