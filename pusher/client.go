package pusher

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for a Client's zero fields, and the threshold of a slow answer.
const (
	// DefaultMaxTime bounds a whole push, waits included: long enough for
	// an Uptime Kuma 2.x whose notification providers take tens of seconds
	// (it notifies before it answers), short enough for cron.
	DefaultMaxTime = 60 * time.Second
	// DefaultConnectTimeout bounds one attempt until its request is written:
	// connecting, TLS, writing. Once written, the answer is waited for.
	DefaultConnectTimeout = 10 * time.Second
	// DefaultBackoff is the first wait between attempts; it doubles up to
	// 8 s, each wait scaled by a random 0.5-1.5.
	DefaultBackoff = 500 * time.Millisecond
	// SlowAnswer is how long after its request an accepted answer counts as
	// slow (Result.Slow).
	SlowAnswer = 10 * time.Second

	maxBackoff   = 8 * time.Second
	maxBody      = 64 << 10
	maxRedirects = 5
)

// Doer sends one HTTP request; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client sends beats to one push URL. The zero value of every field but
// Endpoint is usable and means the default documented on it. A Client
// holds no connection between pushes and may be used by several goroutines.
type Client struct {
	// Endpoint is the push URL; required.
	Endpoint *Endpoint
	// HTTP sends the requests. nil: NewHTTPClient(nil). An *http.Client is
	// used as a copy whose Timeout is dropped (Push bounds time itself) and
	// whose redirect policy is pusher's: the same host only, no Referer.
	// Any other Doer must keep the token from other hosts itself.
	HTTP Doer
	// UserAgent is sent as User-Agent; "": Go's default.
	UserAgent string
	// MaxTime bounds the whole push, waits included; 0: DefaultMaxTime.
	// One wait may go up to a minute past it: when Uptime Kuma 2.x has the
	// monitor's minutely statistics stuck (StuckStatsError), the push waits
	// for the next minute, plus up to 10 s at random, and tries once more.
	MaxTime time.Duration
	// ConnectTimeout bounds an attempt until its request is written; 0:
	// DefaultConnectTimeout. A written request is never cut short by it.
	ConnectTimeout time.Duration
	// MaxAttempts caps the requests of one push; 0: as many as MaxTime
	// allows.
	MaxAttempts int
	// Backoff is the first wait between attempts; 0: DefaultBackoff.
	Backoff time.Duration
	// OnAttempt, when set, is called after every attempt (for logs).
	OnAttempt func(Attempt)

	// Seams for the package's own tests: nil means a timer, rand and
	// time.Now.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func() float64
	now    func() time.Time
}

// Attempt describes one request of a push.
type Attempt struct {
	N        int           // 1 for the first request
	Status   int           // HTTP status code; 0 when no answer came
	Err      error         // why it failed, redacted; nil when accepted
	Sent     bool          // the request was written to the server
	Duration time.Duration // time the attempt took
	Retry    time.Duration // wait before the next attempt; 0 when none follows
}

// Result describes a push. After a failure only Attempts is set.
type Result struct {
	Attempts int           // requests sent, the accepted one included
	Duration time.Duration // from the start of Push to the answer
	Slow     bool          // the answer came SlowAnswer or more after its attempt began
}

// RejectedError is a push the server answered and refused, or answered in a
// way that shows the URL is not a push route. Sending it again would not
// help.
type RejectedError struct {
	StatusCode int    // HTTP status code
	Msg        string // the server's msg (redacted), or what was wrong with its answer
	FromServer bool   // Msg holds the server's words, quoted when printed
	Hint       string // what to check, or ""
}

// Error says what the server refused, in its words quoted, and what to check.
func (e *RejectedError) Error() string {
	s := fmt.Sprintf("push rejected (HTTP %d): ", e.StatusCode)
	if e.FromServer {
		s += "server said " + quoteServerMsg(e.Msg)
	} else {
		s += e.Msg
	}
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	return s
}

// UnreachableError is a push that got no acceptable answer within the time
// bound or the attempts allowed: no connection, fault answers, or a request
// sent and not answered.
type UnreachableError struct {
	Attempts int // requests tried
	// Sent reports that the last request was written to the server and
	// got no whole answer (none, a cut one, garbage), or a gateway timeout:
	// the beat may have been recorded, so it was not sent again.
	Sent bool
	Err  error // the last attempt's failure, redacted
}

// Error says how many attempts failed, how the last did, and whether the
// beat may have been recorded all the same.
func (e *UnreachableError) Error() string {
	n := "attempt"
	if e.Attempts != 1 {
		n = "attempts"
	}
	s := fmt.Sprintf("push failed after %d %s: %v", e.Attempts, n, e.Err)
	if e.Sent {
		s += ": not sent again, as the beat may have been recorded"
	}
	return s
}

// Unwrap returns the last attempt's failure.
func (e *UnreachableError) Unwrap() error { return e.Err }

// RedirectError is a redirect Push refused to follow: to another host, or
// from https to http. The token would have gone with it.
type RedirectError struct {
	To string // scheme://host[:port] of the refused location; never a path
}

// Error names the refused location's host, not its path.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("redirected to %s, not the push URL's host: not followed, as the token would go with it; if Uptime Kuma moved, use its new push URL", e.To)
}

// Push sends b to c.Endpoint and waits for Uptime Kuma's answer. It returns
// the Result of an accepted beat; a *UsageError for an invalid b; a
// *RejectedError when the server refused it; an *UnreachableError when no
// attempt was accepted within MaxTime (wrapping a *StuckStatsError when
// Uptime Kuma 2.x has the monitor's statistics stuck). See the package doc
// for what is retried. Error texts never hold the token.
func (c *Client) Push(ctx context.Context, b Beat) (Result, error) {
	if c.Endpoint == nil {
		return Result{}, usageErrorf("no push URL")
	}
	if err := b.Validate(); err != nil {
		return Result{}, err
	}
	start := c.clock()
	maxTime := cmp(c.MaxTime, DefaultMaxTime)
	// The hard bound holds a wait for a stuck minute; the others keep to
	// MaxTime.
	hardCtx, cancelHard := context.WithTimeout(ctx, maxTime+statsGrace)
	defer cancelHard()
	pushCtx, cancel := context.WithTimeout(hardCtx, maxTime)
	defer func() { cancel() }()
	limit := maxTime
	target := c.Endpoint.URL(b).String()
	doer := c.doer()
	backoff := cmp(c.Backoff, DefaultBackoff)

	for n := 1; ; n++ {
		aStart := c.clock()
		o := c.attempt(pushCtx, doer, target, limit)
		a := Attempt{N: n, Status: o.code, Sent: o.written, Duration: c.clock().Sub(aStart)}
		if o.err == nil {
			c.log(a)
			return Result{Attempts: n, Duration: c.clock().Sub(start), Slow: o.answerWait >= SlowAnswer}, nil
		}
		err := c.redactError(o.err)
		a.Err = err
		unreachable := func(sent bool) (Result, error) {
			c.log(a)
			return Result{Attempts: n}, &UnreachableError{Attempts: n, Sent: sent, Err: err}
		}
		var rejected *RejectedError
		var stuck *StuckStatsError
		switch {
		case errors.As(err, &rejected):
			c.log(a)
			return Result{Attempts: n}, err
		case errors.As(err, &stuck) && o.statsWait <= 0:
			// A stuck hour or day: no attempt can succeed before it ends.
			return unreachable(false)
		case o.maybeRecorded || o.final || pushCtx.Err() != nil || c.MaxAttempts > 0 && n >= c.MaxAttempts:
			return unreachable(o.maybeRecorded)
		}
		var wait time.Duration
		switch {
		case o.statsWait > 0:
			// A stuck minute: the next one is free, even past MaxTime.
			left := maxTime + statsGrace - c.clock().Sub(start)
			if o.statsWait >= left {
				return unreachable(false)
			}
			// A quarter of what is left stays for the attempt itself.
			wait = o.statsWait + statsOffset(c.jitterFactor()-0.5, min(statsSpread, (left-o.statsWait)*3/4))
			cancel()
			pushCtx, cancel, limit = hardCtx, func() {}, maxTime+statsGrace
		default:
			wait = o.retryAfter
			if wait <= 0 {
				wait = c.jittered(backoff)
				backoff = min(2*backoff, maxBackoff)
			}
			if limit-c.clock().Sub(start) < wait {
				return unreachable(false)
			}
		}
		a.Retry = wait
		c.log(a)
		if c.pause(pushCtx, wait) != nil {
			return Result{Attempts: n}, &UnreachableError{Attempts: n, Err: err}
		}
	}
}

// outcome is one attempt's answer, judged.
type outcome struct {
	code          int
	err           error         // nil: accepted
	written       bool          // the request (or a redirect's) was written
	maybeRecorded bool          // written and not answered: never send again
	final         bool          // the same failure would come back: no retry
	retryAfter    time.Duration // the server's wait, 0 when none
	statsWait     time.Duration // a stuck minute: the time left in it by the server's clock
	answerWait    time.Duration // from the attempt's start to the answer
}

// errNoConnection cancels an attempt whose request was not written within
// the connect timeout.
var errNoConnection = errors.New("no connection")

// sendState follows one attempt's requests (the push and the redirects it
// follows): whether one was written, and whether the last written one has
// its whole answer. A request is counted written from the moment its
// headers are handed to the connection: a server may act on any request it
// read, so one that may have reached it is never sent again.
type sendState struct {
	mu       sync.Mutex
	written  bool // a request was handed to the connection
	pending  bool // the last one written has no whole answer yet
	answerAt time.Time
}

type sendStateKey struct{}

func (s *sendState) wrote() {
	s.mu.Lock()
	s.written, s.pending = true, true
	s.mu.Unlock()
}

// redirected records a whole redirect answer to the last request: it was
// not recorded there.
func (s *sendState) redirected() {
	s.mu.Lock()
	s.pending = false
	s.mu.Unlock()
}

// attempt sends one GET (following allowed redirects) and judges the
// answer. Until the request is written the attempt is bounded by the
// connect timeout; after, only by ctx, whose bound is limit.
func (c *Client) attempt(ctx context.Context, doer Doer, target string, limit time.Duration) outcome {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	st := &sendState{}
	start := c.clock()
	connectTimeout := cmp(c.ConnectTimeout, DefaultConnectTimeout)
	timer := time.AfterFunc(connectTimeout, func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		if !st.written {
			cancel(errNoConnection)
		}
	})
	defer timer.Stop()
	trace := &httptrace.ClientTrace{
		WroteHeaders: st.wrote,
		// Even a failed write may have left the server a request.
		WroteRequest: func(httptrace.WroteRequestInfo) { st.wrote() },
		GotFirstResponseByte: func() {
			st.wrote()
			st.mu.Lock()
			st.answerAt = c.clock()
			st.mu.Unlock()
		},
	}
	rctx := context.WithValue(httptrace.WithClientTrace(actx, trace), sendStateKey{}, st)
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, target, nil)
	if err != nil {
		return outcome{err: fmt.Errorf("building request: %w", err), final: true}
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := doer.Do(req)

	st.mu.Lock()
	o := outcome{written: st.written}
	outstanding := st.pending
	if !st.answerAt.IsZero() {
		o.answerWait = st.answerAt.Sub(start)
	}
	st.mu.Unlock()

	if err != nil {
		var redirect *RedirectError
		switch {
		case errors.As(err, &redirect):
			o.err, o.final = redirect, true
		case errors.Is(err, errTooManyRedirects):
			o.err, o.final = errTooManyRedirects, true
		case IsCertificateError(err):
			o.err, o.final = err, true
		case outstanding && errors.Is(ctx.Err(), context.DeadlineExceeded):
			o.err, o.maybeRecorded = fmt.Errorf("request sent, no answer within %v", limit), true
		case outstanding && ctx.Err() != nil:
			o.err, o.maybeRecorded = fmt.Errorf("request sent, then the push was cancelled: %w", ctx.Err()), true
		case outstanding:
			// Whatever came back (nothing, a cut, garbage), the server
			// may have read the request.
			o.err, o.maybeRecorded = fmt.Errorf("request sent, then: %w", err), true
		case errors.Is(context.Cause(actx), errNoConnection):
			o.err = fmt.Errorf("no connection within %v: %w", connectTimeout, err)
		default:
			o.err = err
		}
		return o
	}
	defer resp.Body.Close()
	o.code = resp.StatusCode
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		// The handler answered; what it recorded is unknown.
		o.err, o.maybeRecorded = fmt.Errorf("answer (HTTP %d) cut off: %w", resp.StatusCode, err), true
		return o
	}
	at := serverTime(resp, c.clock())
	o.err = judge(resp, body, at)
	var f *faultError
	var stuck *StuckStatsError
	switch {
	case errors.As(o.err, &f):
		o.retryAfter = retryAfter(resp.Header.Get("Retry-After"), c.clock())
		o.maybeRecorded = f.maybeRecorded
	case errors.As(o.err, &stuck) && stuck.Table == StatMinutely:
		o.statsWait = max(stuck.Until.Sub(at), time.Nanosecond)
	}
	return o
}

func (c *Client) log(a Attempt) {
	if c.OnAttempt != nil {
		c.OnAttempt(a)
	}
}

// jittered scales d by a random 0.5-1.5, so that many hosts' cron jobs, all
// started on the minute, do not retry in step.
func (c *Client) jittered(d time.Duration) time.Duration {
	return time.Duration(float64(d) * c.jitterFactor())
}

// jitterFactor is a random 0.5-1.5.
func (c *Client) jitterFactor() float64 {
	if c.jitter != nil {
		return c.jitter()
	}
	return 0.5 + rand.Float64()
}

func (c *Client) pause(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
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

func (c *Client) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *Client) doer() Doer {
	switch h := c.HTTP.(type) {
	case nil:
		return NewHTTPClient(nil)
	case *http.Client:
		cp := *h
		cp.Timeout = 0
		cp.CheckRedirect = checkRedirect
		return &cp
	default:
		return h
	}
}

// redactError passes err's text through the one redaction function. The
// URL inside a *url.Error is redacted in place too, so that unwrapping
// does not bring the token back.
func (c *Client) redactError(err error) error {
	var rejected *RejectedError
	if errors.As(err, &rejected) {
		rejected.Msg = c.Endpoint.Redact(rejected.Msg)
		return rejected
	}
	var stuck *StuckStatsError
	if errors.As(err, &stuck) {
		stuck.Msg = c.Endpoint.Redact(stuck.Msg)
	}
	var fault *faultError
	if errors.As(err, &fault) {
		// Before quoting cuts it: a cut token would leak its start.
		fault.msg = c.Endpoint.Redact(fault.msg)
	}
	redactURLErrors(err, c.Endpoint)
	return &redactedError{msg: c.Endpoint.Redact(err.Error()), err: err}
}

// redactedError keeps err's type findable by errors.As while its text is
// redacted.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func cmp(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

// IsCertificateError reports whether err, or an error it wraps, is a TLS
// certificate that does not verify (unknown authority, invalid, wrong host).
// Push does not retry one: the same certificate comes back every time.
func IsCertificateError(err error) bool {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &host) || errors.As(err, &verify)
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date; the
// push's time bound still applies.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// String says what became of the attempt, for a log line: "1: HTTP 200
// in 12ms", "2: connection refused in 3ms, retrying in 1.1s".
func (a Attempt) String() string {
	result := fmt.Sprintf("HTTP %d", a.Status)
	if a.Err != nil {
		result = a.Err.Error()
	}
	retry := ""
	if a.Retry > 0 {
		retry = fmt.Sprintf(", retrying in %v", a.Retry.Round(time.Millisecond))
	}
	return fmt.Sprintf("%d: %s in %v%s", a.N, result, a.Duration.Round(time.Millisecond), retry)
}
