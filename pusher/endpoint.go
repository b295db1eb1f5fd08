package pusher

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// pushPrefix is what every push URL's path holds before the token; a reverse
// proxy may add its own path in front of it.
const pushPrefix = "/api/push/"

// MaxTokenLen is the longest push token accepted: Uptime Kuma 1.23 makes
// 10-character tokens, 2.x makes 32.
const MaxTokenLen = 32

// MaxPing is the largest ping Uptime Kuma accepts (24 h in milliseconds);
// newer servers answer 400 and record no heartbeat above it.
const MaxPing = 86_400_000

// MaxMsgLen is the longest msg, in bytes, sent in a push URL. The message
// travels in the query string, which proxies and servers cap.
const MaxMsgLen = 1024

// Status values Uptime Kuma reads. Anything but "up" counts as down on the
// server, so opkuma sends only these two.
const (
	StatusUp   = "up"
	StatusDown = "down"
)

// UsageError is an error in what the user gave (URL, status, msg, ping), as
// opposed to a failure while pushing. Its message says what to fix.
type UsageError struct{ Msg string }

// Error returns the message.
func (e *UsageError) Error() string { return e.Msg }

// Endpoint is a validated push URL: an absolute http(s) URL whose path ends
// in /api/push/<token>, with the query parameters the user pasted.
type Endpoint struct {
	u     *url.URL
	token string
}

// ParseEndpoint validates raw as an Uptime Kuma push URL. Its errors are
// *UsageError, say what is wrong and never contain the token.
func ParseEndpoint(raw string) (*Endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, usageErrorf("empty URL: expected https://HOST/api/push/<token>")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the input; say what is wrong without echoing it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, usageErrorf("not a URL (%v): expected https://HOST/api/push/<token>", redactText(err.Error(), ""))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, usageErrorf("scheme must be http or https, not %q: expected https://HOST/api/push/<token>", redactText(u.Scheme, ""))
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, usageErrorf("missing host: expected https://HOST/api/push/<token>")
	}
	if u.Fragment != "" {
		return nil, usageErrorf("URL has a #fragment: remove it; expected https://HOST/api/push/<token>")
	}
	i := strings.LastIndex(u.Path, pushPrefix)
	if i < 0 {
		// The path is not echoed: a mistyped one may still hold the token.
		return nil, usageErrorf("not a push URL: the path must end in /api/push/<token> (copy the Push URL from the monitor's page)")
	}
	token := u.Path[i+len(pushPrefix):]
	switch {
	case token == "":
		return nil, usageErrorf("missing push token: expected .../api/push/<token>")
	case strings.Contains(token, "/"):
		return nil, usageErrorf("unexpected path after the push token: expected .../api/push/<token> with nothing after it")
	case !validToken(token):
		return nil, usageErrorf("push token must be 1-%d letters and digits (as Uptime Kuma shows it)", MaxTokenLen)
	}
	e := &Endpoint{u: u, token: token}
	q := u.Query()
	if s := q.Get("status"); s != "" {
		if err := checkStatus(s); err != nil {
			return nil, fmt.Errorf("status in URL: %w", err)
		}
	}
	if p := q.Get("ping"); p != "" {
		if _, err := ParsePing(p); err != nil {
			return nil, fmt.Errorf("ping in URL: %w", err)
		}
	}
	return e, nil
}

// Token returns the push token. Never print it.
func (e *Endpoint) Token() string { return e.token }

// Param returns the value of query parameter key in the pasted URL, or "".
func (e *Endpoint) Param(key string) string { return e.u.Query().Get(key) }

// Host returns the URL's host[:port], which is not secret.
func (e *Endpoint) Host() string { return e.u.Host }

// String returns the URL with the token (and any password) replaced by ****.
func (e *Endpoint) String() string { return e.Redact(e.u.String()) }

// Redact is the package's Redact that also replaces this endpoint's token
// wherever it appears in text, bare or in a URL.
func (e *Endpoint) Redact(text string) string { return redactText(text, e.token) }

func validToken(t string) bool {
	if len(t) < 1 || len(t) > MaxTokenLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		if !isAlnum(t[i]) {
			return false
		}
	}
	return true
}

// Beat is what one push reports. Empty fields fall back to the value
// pasted in the URL, then to Uptime Kuma's defaults (status up, msg OK); an
// empty Ping falls back to the URL's, then to Elapsed in whole
// milliseconds, clamped to MaxPing.
type Beat struct {
	Status  string        // StatusUp or StatusDown
	Msg     string        // shown in Uptime Kuma and its alerts; at most MaxMsgLen bytes
	Ping    string        // milliseconds as a plain decimal number ("12", "12.5"); see ParsePing
	Elapsed time.Duration // the run's duration, sent as ping when Ping is empty
}

// Heartbeat is the former name of Beat.
//
// Deprecated: use Beat.
type Heartbeat = Beat

// Validate checks the fields a user set. Its errors are *UsageError.
func (h Beat) Validate() error {
	if h.Status != "" {
		if err := checkStatus(h.Status); err != nil {
			return err
		}
	}
	if len(h.Msg) > MaxMsgLen {
		return usageErrorf("msg is %d bytes: keep it under %d (it travels in the URL)", len(h.Msg), MaxMsgLen)
	}
	if h.Ping != "" {
		if _, err := ParsePing(h.Ping); err != nil {
			return fmt.Errorf("ping: %w", err)
		}
	}
	return nil
}

// URL returns the push URL for h: the endpoint's URL with status, msg and
// ping set (ping in canonical form), other pasted query parameters kept.
// The result holds the token.
func (e *Endpoint) URL(h Beat) *url.URL {
	u := *e.u
	q := u.Query()
	set := func(key, value, fallback string) {
		switch {
		case value != "":
			q.Set(key, value)
		case q.Get(key) == "":
			q.Set(key, fallback)
		}
	}
	set("status", h.Status, StatusUp)
	set("msg", cleanMsg(h.Msg), "OK")
	set("ping", canonicalPing(h.Ping), FormatPing(h.Elapsed))
	if p := q.Get("ping"); p != "" {
		q.Set("ping", canonicalPing(p))
	}
	// Spaces as %20, not +: unambiguous through any proxy. Encode writes a
	// literal + as %2B, so every + left is a space.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return &u
}

// FormatPing returns d as a whole number of milliseconds, clamped to the
// range Uptime Kuma accepts.
func FormatPing(d time.Duration) string {
	ms := d.Round(time.Millisecond).Milliseconds()
	ms = min(max(ms, 0), MaxPing)
	return strconv.FormatInt(ms, 10)
}

// ParsePing checks that s is a ping Uptime Kuma accepts, written as a plain
// decimal number of milliseconds ("12", "12.5", "0.25") from 0 to MaxPing,
// and returns it in canonical form (no leading zeros, no trailing
// fractional zeros: "012.50" -> "12.5"). Signs, exponents, underscores,
// hexadecimal, "inf" and "nan", which Go's own parser would take, are
// refused. Errors are *UsageError.
func ParsePing(s string) (string, error) {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || hasDot && (frac == "" || !allDigits(frac)) {
		return "", usageErrorf("%q is not a plain decimal number of milliseconds: give e.g. 1500 or 12.5", s)
	}
	canon := canonicalPing(s)
	if v, err := strconv.ParseFloat(canon, 64); err != nil || v > MaxPing {
		return "", usageErrorf("%s is out of range: give 0 to %d milliseconds", s, MaxPing)
	}
	return canon, nil
}

// canonicalPing rewrites a plain decimal number without leading zeros or
// trailing fractional zeros; anything else is returned as it is.
func canonicalPing(s string) string {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || hasDot && !allDigits(frac) {
		return s
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		return intPart
	}
	return intPart + "." + frac
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func checkStatus(s string) error {
	if s != StatusUp && s != StatusDown {
		return usageErrorf("status %q is not up or down (Uptime Kuma counts anything but \"up\" as down)", s)
	}
	return nil
}

// cleanMsg makes msg valid UTF-8 without control characters, so it shows as
// one line in Uptime Kuma and in alerts.
func cleanMsg(msg string) string {
	if msg == "" {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(msg, string(utf8.RuneError)) {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func usageErrorf(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}
