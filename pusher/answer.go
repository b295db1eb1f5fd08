package pusher

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// pushAnswer is the JSON body of Uptime Kuma's push route.
type pushAnswer struct {
	OK  *bool  `json:"ok"`
	Msg string `json:"msg"`
}

// faultError is an answer that shows the server failing, not refusing: the
// beat was not recorded (unless maybeRecorded), so it is sent again.
type faultError struct {
	code          int
	msg           string // the server's words, when fromServer
	fromServer    bool
	text          string // what was wrong, when not fromServer
	maybeRecorded bool   // a gateway timeout: the server may have the beat
}

func (e *faultError) Error() string {
	switch {
	case !e.fromServer:
		return e.text
	case e.msg == "":
		return fmt.Sprintf("server failed (HTTP %d) without saying why", e.code)
	default:
		return fmt.Sprintf("server failed (HTTP %d): server said %s", e.code, quoteServerMsg(e.msg))
	}
}

// judge reads an answer the way Uptime Kuma writes it. Neither the status
// code nor ok:false decides alone: every error inside Uptime Kuma's handler
// answers {"ok":false,"msg":...} (404 in 1.23-2.x, 500 in newer code), and
// only the msg tells a refusal from a failure. at is the answer's time by
// the server's clock.
func judge(resp *http.Response, body []byte, at time.Time) error {
	code := resp.StatusCode
	var ans pushAnswer
	isJSON := json.Unmarshal(body, &ans) == nil && ans.OK != nil
	switch {
	case isJSON && *ans.OK:
		// Recorded: whatever the status code, never send it again.
		return nil
	case isJSON:
		if hint, ok := rejection(code, ans.Msg); ok {
			return &RejectedError{StatusCode: code, Msg: ans.Msg, FromServer: true, Hint: hint}
		}
		if table, ok := stuckStats(ans.Msg); ok {
			return &StuckStatsError{Table: table, Until: periodEnd(table, at), StatusCode: code, Msg: ans.Msg}
		}
		return &faultError{code: code, msg: ans.Msg, fromServer: true, maybeRecorded: gatewayTimeout(code)}
	case gatewayTimeout(code):
		// A proxy gave up waiting for Uptime Kuma, which may have
		// recorded the beat and still be sending its notifications.
		return &faultError{code: code, text: statusText(code), maybeRecorded: true}
	case code == http.StatusNotFound:
		// Uptime Kuma 2.x answers Express's "Cannot GET /api/push/..."
		// page for about a minute while it migrates its database after an
		// upgrade; a wrong path answers the same way, for ever. Retried
		// within the time bound, then reported with both causes.
		return &faultError{code: code, text: "no push route at this URL (HTTP 404, " + contentType(resp) +
			"): check the URL and any reverse-proxy path before /api/push/ (an upgrading Uptime Kuma 2.x answers so for about a minute)"}
	case code == http.StatusRequestTimeout || code == http.StatusTooEarly || code == http.StatusTooManyRequests || code/100 == 5:
		return &faultError{code: code, text: statusText(code)}
	case code/100 == 2:
		return &RejectedError{StatusCode: code, Msg: "answer is not Uptime Kuma's JSON (" + contentType(resp) + ")",
			Hint: "check the URL: it must be the Push URL shown on the monitor's page"}
	default:
		return &RejectedError{StatusCode: code, Msg: strings.TrimSpace(http.StatusText(code) + " (" + contentType(resp) + ")")}
	}
}

// rejection reports whether an ok:false answer is a refusal, and what the
// user should check.
func rejection(code int, msg string) (hint string, ok bool) {
	switch {
	case strings.HasPrefix(msg, "Monitor not found or not active"):
		return "the monitor may be paused, deleted, or the token wrong", true
	case strings.HasPrefix(msg, "Invalid ping value"):
		return "the ping must be 0 to 86400000 milliseconds", true
	case code == http.StatusBadRequest:
		// Newer Uptime Kuma answers a malformed push with 400.
		return "", true
	}
	return "", false
}

func gatewayTimeout(code int) bool {
	return code == http.StatusGatewayTimeout || code == 524 // Cloudflare: origin timed out
}

func statusText(code int) string {
	return strings.TrimSpace(fmt.Sprintf("server answered HTTP %d %s", code, http.StatusText(code)))
}

func contentType(resp *http.Response) string {
	ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	if ct = strings.TrimSpace(ct); ct == "" {
		return "no content type"
	}
	q := quoteServerMsg(ct)
	return q[1 : len(q)-1]
}

// maxServerMsg is the most characters of a server's words shown; a longer
// msg keeps its start and its end, where database errors put their cause
// ("insert into `heartbeat` ... - SQLITE_BUSY: database is locked").
const (
	maxServerMsg  = 200
	serverMsgTail = 80
)

// quoteServerMsg shows a server's msg as its words, not opkuma's: one
// double-quoted line, control characters, newlines and invisible formatting
// characters escaped, at most maxServerMsg characters between the quotes
// (a longer one is cut in the middle, marked " ... ").
func quoteServerMsg(s string) string {
	var pieces []string
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		q := strconv.QuoteRune(r)
		q = q[1 : len(q)-1]
		switch r {
		case '\'':
			q = "'"
		case '"':
			q = `\"`
		}
		pieces = append(pieces, q)
		n += utf8.RuneCountInString(q)
	}
	if n <= maxServerMsg {
		return `"` + strings.Join(pieces, "") + `"`
	}
	const cut = " ... "
	head, tail := take(pieces, maxServerMsg-serverMsgTail-len(cut)), takeLast(pieces, serverMsgTail)
	return `"` + head + cut + tail + `"`
}

// take joins the first pieces that fit in n characters.
func take(pieces []string, n int) string {
	var b strings.Builder
	for _, p := range pieces {
		if n -= utf8.RuneCountInString(p); n < 0 {
			break
		}
		b.WriteString(p)
	}
	return b.String()
}

// takeLast joins the last pieces that fit in n characters.
func takeLast(pieces []string, n int) string {
	i := len(pieces)
	for i > 0 {
		if n -= utf8.RuneCountInString(pieces[i-1]); n < 0 {
			break
		}
		i--
	}
	return strings.Join(pieces[i:], "")
}

// redactURLErrors redacts, in place, the URL of every *url.Error in err's
// chain: it holds the push URL.
func redactURLErrors(err error, e *Endpoint) {
	for err != nil {
		if ue, ok := err.(*url.Error); ok {
			ue.URL = e.Redact(ue.URL)
		}
		err = errors.Unwrap(err)
	}
}
