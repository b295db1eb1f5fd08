package cmd

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/pusher"
)

// pushOptions are the flags shared by every command that pushes.
type pushOptions struct {
	url             string
	urlFile         string
	urlFileInsecure bool
	dryRun          bool
	status          string
	msg             string
	ping            string
	connectTimeout  time.Duration
	maxTime         time.Duration
	retries         int
	verbose         bool
	silent          bool
	caFile          string
}

func pushFlags(o *pushOptions) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "url", Usage: "Uptime Kuma push `URL` (.../api/push/<token>, as the monitor page shows it); else --url-file, else $OPKUMA_URL", Destination: &o.url},
		&cli.StringFlag{Name: "url-file", Usage: "read the push URL from the first line of `FILE`, which only its owner may read (keeps the token out of ps)", Destination: &o.urlFile},
		&cliflag.BoolFlag{Name: "url-file-insecure", Usage: "accept a --url-file that group or others can read", Destination: &o.urlFileInsecure},
		&cli.StringFlag{Name: "status", Usage: "`STATUS` to push: up or down (default: the URL's, else up)", Destination: &o.status},
		&cli.StringFlag{Name: "msg", Usage: "`MESSAGE` to push (default: the URL's, else OK)", Destination: &o.msg},
		&cli.StringFlag{Name: "ping", Usage: "ping in `MS` (milliseconds) to push (default: the URL's, else the run's duration)", Destination: &o.ping},
		&cli.DurationFlag{Name: "max-time", Usage: "at most `DURATION` for the whole push, retries and waits included; a request sent but not answered by then is reported, never sent twice", Value: pusher.DefaultMaxTime, Destination: &o.maxTime},
		&cli.DurationFlag{Name: "connect-timeout", Usage: "at most `DURATION` to connect and send one push request; once sent, its answer is awaited up to --max-time", Value: pusher.DefaultConnectTimeout, Destination: &o.connectTimeout},
		// Former names, kept working and out of the help.
		&cli.DurationFlag{Name: "push-max-time", Hidden: true, Usage: "old name of --max-time, a `DURATION`", Value: pusher.DefaultMaxTime, Destination: &o.maxTime},
		&cli.DurationFlag{Name: "push-timeout", Hidden: true, Usage: "old name of --connect-timeout, a `DURATION`", Value: pusher.DefaultConnectTimeout, Destination: &o.connectTimeout},
		&cli.IntFlag{Name: "retries", Usage: "at most `N` retries of a push that did not reach Uptime Kuma or met a fault (-1: as many as --max-time allows)", Value: -1, Destination: &o.retries},
		&cli.StringFlag{Name: "ca-file", Usage: "also trust the CA certificates (PEM) in `FILE` for an https push URL", Destination: &o.caFile},
		&cliflag.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print one line per push attempt", Destination: &o.verbose},
		&cliflag.BoolFlag{Name: "silent", Aliases: []string{"s"}, Usage: "print none of opkuma's own messages (the exit code still tells)", Destination: &o.silent},
		&cliflag.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print what would run and be pushed (token hidden); run and push nothing", Destination: &o.dryRun},
	}
}

// endpoint resolves and validates the push URL: --url, else --url-file,
// else $OPKUMA_URL. A mistake on the command line (both flags, a --url
// that is no push URL) is a usage error; what is found at run time (the
// file, the environment) is a *setupError, which run reports and runs the
// job all the same.
func (o *pushOptions) endpoint(getenv func(string) string) (*pusher.Endpoint, error) {
	var raw, source string
	switch {
	case o.url != "" && o.urlFile != "":
		return nil, usageErrorf("--url and --url-file both given: keep one")
	case o.url != "":
		e, err := pusher.ParseEndpoint(o.url)
		if err != nil {
			return nil, fmt.Errorf("--url: %w", err)
		}
		return e, nil
	case o.urlFile != "":
		var err error
		if raw, err = pusher.ReadURLFile(o.urlFile, o.urlFileInsecure); err != nil {
			return nil, urlFileError(err)
		}
		source = "--url-file " + o.urlFile
	default:
		raw, source = getenv("OPKUMA_URL"), "$OPKUMA_URL"
		if strings.TrimSpace(raw) == "" {
			return nil, setupErrorf("no push URL: give --url https://HOST/api/push/<token>, --url-file FILE, or set $OPKUMA_URL")
		}
	}
	e, err := pusher.ParseEndpoint(raw)
	if err != nil {
		return nil, setupErrorf("%s: %v", source, err)
	}
	return e, nil
}

// setupError is a problem of the monitoring set-up found at run time: a
// URL file missing or readable by others, a bad $OPKUMA_URL. run reports
// it in one line and runs the job, without a push; the commands that only
// push exit 2 (a usage error).
type setupError struct{ msg string }

func (e *setupError) Error() string { return e.msg }

func setupErrorf(format string, args ...any) error {
	return &setupError{msg: fmt.Sprintf(format, args...)}
}

// validate checks the flags that need no URL.
func (o *pushOptions) validate() error {
	switch {
	case o.retries < -1:
		return usageErrorf("--retries: must be 0 or more (or -1: no limit but --max-time), not %d", o.retries)
	case o.connectTimeout <= 0:
		return usageErrorf("--connect-timeout: must be more than 0, e.g. 10s")
	case o.maxTime <= 0:
		return usageErrorf("--max-time: must be more than 0, e.g. 60s")
	}
	if o.ping != "" {
		if _, err := pusher.ParsePing(o.ping); err != nil {
			return usageErrorf("--ping: %v", err)
		}
	}
	return pusher.Beat{Status: o.status, Msg: o.msg}.Validate()
}

// messages prints opkuma's own one-line messages on stderr.
type messages struct {
	w       io.Writer
	silent  bool
	verbose bool
}

func (m messages) errorf(format string, args ...any) {
	if !m.silent {
		fmt.Fprintf(m.w, "opkuma: "+format+"\n", args...)
	}
}

func (m messages) verbosef(format string, args ...any) {
	if m.verbose && !m.silent {
		fmt.Fprintf(m.w, "opkuma: "+format+"\n", args...)
	}
}

// caClient returns an HTTP client that also trusts the CA certificates
// (PEM) in the file --ca-file names; its error says so, for the user.
func caClient(file string) (*http.Client, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	hc, err := pusher.NewHTTPClientWithCA(pem)
	if err != nil {
		return nil, fmt.Errorf("--ca-file %s: %w", file, err)
	}
	return hc, nil
}

// client returns the push client for o, without its Endpoint (push sets
// it). Its error (a --ca-file that cannot be read) is a *setupError: run
// runs the job all the same, without a push.
func (o *pushOptions) client(env Env, msgs messages) (*pusher.Client, error) {
	doer := env.HTTP
	if o.caFile != "" {
		hc, err := caClient(o.caFile)
		if err != nil {
			return nil, &setupError{msg: err.Error()}
		}
		doer = hc
	}
	maxAttempts := 0
	if o.retries >= 0 {
		maxAttempts = o.retries + 1
	}
	return &pusher.Client{
		HTTP:           doer,
		UserAgent:      userAgent(),
		MaxTime:        o.maxTime,
		ConnectTimeout: o.connectTimeout,
		MaxAttempts:    maxAttempts,
		OnAttempt: func(a pusher.Attempt) {
			msgs.verbosef("push attempt %s", a)
		},
	}, nil
}

// push sends h to e with c and reports a failure on stderr, and a slow
// success under --verbose.
func push(ctx context.Context, c *pusher.Client, e *pusher.Endpoint, h pusher.Beat, msgs messages) error {
	_, err := pushResult(ctx, c, e, h, msgs)
	return err
}

// pushResult is push that also returns the push's result.
func pushResult(ctx context.Context, c *pusher.Client, e *pusher.Endpoint, h pusher.Beat, msgs messages) (pusher.Result, error) {
	msgs.verbosef("pushing %s to %s", e.URL(h).Query().Get("status"), e)
	cc := *c
	cc.Endpoint = e
	res, err := cc.Push(ctx, h)
	if err != nil {
		msg := err.Error()
		if pusher.IsCertificateError(err) {
			msg += " (trust the server's CA with --ca-file)"
		}
		msgs.errorf("%s", e.Redact(msg))
		return res, err
	}
	if res.Slow {
		msgs.verbosef("push accepted after %v: a slow answer (Uptime Kuma 2.x sends its notifications before it answers)", res.Duration.Round(100*time.Millisecond))
	}
	return res, nil
}
