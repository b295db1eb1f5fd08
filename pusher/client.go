package pusher

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Defaults for Client. The per-attempt timeout is a floor: Uptime Kuma 2.x
// sends its alert notifications before it answers a push.
const (
	DefaultAttemptTimeout = 10 * time.Second
	DefaultRetries        = 3
	DefaultMaxTime        = 30 * time.Second
	DefaultBackoff        = 500 * time.Millisecond
	maxBackoff            = 8 * time.Second
	maxBody               = 64 << 10
	maxRedirects          = 5
)

// Doer sends one HTTP request; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Attempt describes one request of a push, for verbose logs.
type Attempt struct {
	N        int           // 1 for the first request
	Status   int           // HTTP status code, 0 when no answer came
	Err      error         // transport error or rejection, redacted
	Duration time.Duration // time the request took
	Retry    time.Duration // wait before the next attempt, 0 when none follows
}

// Client sends heartbeats with bounded retries: every attempt has a timeout,
// and all attempts together never take longer than MaxTime.
type Client struct {
	HTTP           Doer          // nil: a client that honours proxy variables
	UserAgent      string        // sent as User-Agent
	Retries        int           // retries after the first attempt
	AttemptTimeout time.Duration // bound on one request, answer included
	MaxTime        time.Duration // bound on the whole push, waits included
	Backoff        time.Duration // first wait; doubled each retry, with jitter
	// Sleep waits d or until ctx ends; nil: a timer. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a factor in [0.5, 1.5) applied to each wait; nil: random.
	Jitter func() float64
	// OnAttempt, when set, is called after every attempt.
	OnAttempt func(Attempt)
}

// RejectedError is a push the server answered and refused, or answered in a
// way that shows the URL is not a push route. Retrying does not help.
type RejectedError struct {
	StatusCode int    // HTTP status code
	Msg        string // the server's msg, or what was wrong with its answer
	Hint       string // what the user should check
}

// Error says what the server refused and what to check.
func (e *RejectedError) Error() string {
	s := fmt.Sprintf("push rejected (HTTP %d): %s", e.StatusCode, e.Msg)
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	return s
}

// UnreachableError is a push that got no acceptable answer: network errors,
// timeouts or server errors on every attempt, within the time bound.
type UnreachableError struct {
	Attempts int   // requests sent
	Err      error // the last attempt's failure
}

// Error says how many attempts failed and how the last one did.
func (e *UnreachableError) Error() string {
	n := "attempt"
	if e.Attempts != 1 {
		n = "attempts"
	}
	return fmt.Sprintf("push failed after %d %s: %v", e.Attempts, n, e.Err)
}

// Unwrap returns the last attempt's failure.
func (e *UnreachableError) Unwrap() error { return e.Err }

// statusError is a retryable answer: 5xx or 429 that is not a JSON rejection.
type statusError struct {
	code       int
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	return fmt.Sprintf("server answered HTTP %d %s", e.code, http.StatusText(e.code))
}

// Push sends h to e. It returns nil when Uptime Kuma accepted the heartbeat,
// a *RejectedError when it refused it, and an *UnreachableError when no
// attempt got an answer in time. Error texts never hold the token.
func (c *Client) Push(ctx context.Context, e *Endpoint, h Heartbeat) error {
	if err := h.Validate(); err != nil {
		return err
	}
	maxTime := c.MaxTime
	if maxTime <= 0 {
		maxTime = DefaultMaxTime
	}
	ctx, cancel := context.WithTimeout(ctx, maxTime)
	defer cancel()
	target := e.URL(h).String()
	doer := c.doer()

	backoff := c.Backoff
	if backoff <= 0 {
		backoff = DefaultBackoff
	}
	for n := 1; ; n++ {
		start := time.Now()
		code, err := c.attempt(ctx, doer, target)
		a := Attempt{N: n, Status: code, Duration: time.Since(start)}
		if err != nil {
			err = redactError(err, e)
			a.Err = err
		}
		var rejected *RejectedError
		if err == nil || errors.As(err, &rejected) || n > c.Retries || ctx.Err() != nil || certificateError(err) || errors.Is(err, errTooManyRedirects) {
			c.log(a)
			if err == nil || rejected != nil {
				return err
			}
			return &UnreachableError{Attempts: n, Err: err}
		}
		wait := c.wait(backoff, err)
		backoff = min(2*backoff, maxBackoff)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			c.log(a)
			return &UnreachableError{Attempts: n, Err: err}
		}
		a.Retry = wait
		c.log(a)
		if err := c.sleep(ctx, wait); err != nil {
			return &UnreachableError{Attempts: n, Err: a.Err}
		}
	}
}

// certificateError reports whether err is a TLS certificate that does not
// verify: the same certificate comes back on every retry.
func certificateError(err error) bool {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &host) || errors.As(err, &verify)
}

func (c *Client) log(a Attempt) {
	if c.OnAttempt != nil {
		c.OnAttempt(a)
	}
}

// wait is the pause before the next attempt: the server's Retry-After when
// it sent one, else backoff with jitter so that many hosts' cron jobs, all
// started on the minute, do not retry in step.
func (c *Client) wait(backoff time.Duration, err error) time.Duration {
	var se *statusError
	if errors.As(err, &se) && se.retryAfter > 0 {
		return se.retryAfter
	}
	j := 0.5 + rand.Float64()
	if c.Jitter != nil {
		j = c.Jitter()
	}
	return time.Duration(float64(backoff) * j)
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt sends one GET and judges the answer. It returns the HTTP status
// code (0 without an answer) and nil, a *RejectedError, or a retryable error.
func (c *Client) attempt(ctx context.Context, doer Doer, target string) (int, error) {
	timeout := c.AttemptTimeout
	if timeout <= 0 {
		timeout = DefaultAttemptTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, fmt.Errorf("building request: %w", err)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := doer.Do(req)
	if err != nil && certificateError(err) {
		return 0, fmt.Errorf("%w (trust the server's CA with --ca-file)", err)
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			return 0, fmt.Errorf("no answer within %v: %w", timeout, err)
		}
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("reading answer (HTTP %d): %w", resp.StatusCode, err)
	}
	return resp.StatusCode, judge(resp, body)
}

// pushAnswer is the JSON body of Uptime Kuma's push route.
type pushAnswer struct {
	OK  *bool  `json:"ok"`
	Msg string `json:"msg"`
}

// judge reads an answer the way Uptime Kuma writes it: the JSON body decides,
// because a rejection comes as 404 in 1.23-2.x and as 500 in newer versions.
func judge(resp *http.Response, body []byte) error {
	code := resp.StatusCode
	var ans pushAnswer
	isJSON := json.Unmarshal(body, &ans) == nil && ans.OK != nil
	switch {
	case isJSON && *ans.OK && code/100 == 2:
		return nil
	case isJSON && !*ans.OK:
		msg := ans.Msg
		if msg == "" {
			msg = "no reason given"
		}
		hint := ""
		if strings.Contains(msg, "not found or not active") {
			hint = "the monitor may be paused, deleted, or the token wrong"
		}
		return &RejectedError{StatusCode: code, Msg: msg, Hint: hint}
	case code == http.StatusTooManyRequests || code/100 == 5 || code == http.StatusRequestTimeout:
		return &statusError{code: code, retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	case code/100 == 2:
		return &RejectedError{StatusCode: code, Msg: "answer is not Uptime Kuma's JSON (" + contentType(resp) + ")",
			Hint: "check the URL: it must be the Push URL shown on the monitor's page"}
	case code == http.StatusNotFound || code == http.StatusMethodNotAllowed:
		return &RejectedError{StatusCode: code, Msg: "no push route at this URL (" + contentType(resp) + ")",
			Hint: "check the URL and any reverse-proxy path in front of /api/push/"}
	default:
		return &RejectedError{StatusCode: code, Msg: http.StatusText(code) + " (" + contentType(resp) + ")"}
	}
}

func contentType(resp *http.Response) string {
	ct := resp.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if ct == "" {
		return "no content type"
	}
	return ct
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date; the
// push's time bound still applies.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

func (c *Client) doer() Doer {
	if c.HTTP != nil {
		return c.HTTP
	}
	return NewHTTPClient(nil)
}

// NewHTTPClientWithCA returns NewHTTPClient's client trusting, besides the
// system's CAs, the PEM certificates in caFile (an internal CA, a
// self-signed Uptime Kuma).
func NewHTTPClientWithCA(caFile string) (*http.Client, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", caFile)
	}
	tr := newTransport()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return NewHTTPClient(tr), nil
}

// newTransport is http.DefaultTransport for one request: no idle
// connections kept, and HTTP/1.1, whose setup costs a short-lived process
// less than HTTP/2's (measured: about 0.7 ms a run).
func newTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	tr.ForceAttemptHTTP2 = false
	return tr
}

// NewHTTPClient returns an HTTP client for pushes: proxy variables honoured,
// at most 5 redirects, and tr (nil: newTransport()) to send.
func NewHTTPClient(tr http.RoundTripper) *http.Client {
	if tr == nil {
		tr = newTransport()
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return errTooManyRedirects
			}
			return nil
		},
	}
}

// errTooManyRedirects ends a push that is redirected in a loop; retrying
// would loop again.
var errTooManyRedirects = fmt.Errorf("stopped after %d redirects", maxRedirects)

// redactedError keeps the type of err (errors.As still finds it) while its
// text is redacted.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redactError(err error, e *Endpoint) error {
	var rejected *RejectedError
	if errors.As(err, &rejected) {
		rejected.Msg = e.Redact(rejected.Msg)
		return rejected
	}
	return &redactedError{msg: e.Redact(err.Error()), err: err}
}
