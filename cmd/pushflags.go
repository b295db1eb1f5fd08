package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

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
	pushTimeout     time.Duration
	pushMaxTime     time.Duration
	retries         int
	verbose         bool
	silent          bool
	caFile          string
}

func pushFlags(o *pushOptions) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "url", Usage: "Uptime Kuma push `URL` (.../api/push/<token>, as the monitor page shows it); else --url-file, else $OPKUMA_URL", Destination: &o.url},
		&cli.StringFlag{Name: "url-file", Usage: "read the push URL from the first line of `FILE`, which only its owner may read (keeps the token out of ps)", Destination: &o.urlFile},
		&cli.BoolFlag{Name: "url-file-insecure", Usage: "accept a --url-file that group or others can read", Destination: &o.urlFileInsecure},
		&cli.StringFlag{Name: "status", Usage: "`status` to push: up or down (default: the URL's, else up)", Destination: &o.status},
		&cli.StringFlag{Name: "msg", Usage: "`message` to push (default: the URL's, else OK)", Destination: &o.msg},
		&cli.StringFlag{Name: "ping", Usage: "ping in `milliseconds` to push (default: the URL's, else the run's duration)", Destination: &o.ping},
		&cli.DurationFlag{Name: "push-timeout", Usage: "bound on one push request", Value: pusher.DefaultAttemptTimeout, Destination: &o.pushTimeout},
		&cli.StringFlag{Name: "ca-file", Usage: "also trust the CA certificates (PEM) in `FILE` for an https push URL", Destination: &o.caFile},
		&cli.IntFlag{Name: "retries", Usage: "retries after a network error, 5xx or 429", Value: pusher.DefaultRetries, Destination: &o.retries},
		&cli.DurationFlag{Name: "push-max-time", Usage: "bound on the whole push, retries and waits included", Value: pusher.DefaultMaxTime, Destination: &o.pushMaxTime},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print one line per push attempt", Destination: &o.verbose},
		&cli.BoolFlag{Name: "silent", Aliases: []string{"s"}, Usage: "print none of opkuma's own messages (the exit code still tells)", Destination: &o.silent},
		&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print what would run and be pushed (token hidden); run and push nothing", Destination: &o.dryRun},
	}
}

// endpoint resolves and validates the push URL: --url, else --url-file,
// else $OPKUMA_URL. Giving both flags is a mistake worth stopping for.
func (o *pushOptions) endpoint(getenv func(string) string) (*pusher.Endpoint, error) {
	var raw, source string
	switch {
	case o.url != "" && o.urlFile != "":
		return nil, usageErrorf("--url and --url-file both given: keep one")
	case o.url != "":
		raw, source = o.url, "--url"
	case o.urlFile != "":
		var err error
		if raw, err = pusher.ReadURLFile(o.urlFile, o.urlFileInsecure); err != nil {
			return nil, err
		}
		source = "--url-file " + o.urlFile
	default:
		raw, source = getenv("OPKUMA_URL"), "$OPKUMA_URL"
	}
	if strings.TrimSpace(raw) == "" {
		return nil, usageErrorf("no push URL: give --url https://HOST/api/push/<token>, --url-file FILE, or set $OPKUMA_URL")
	}
	e, err := pusher.ParseEndpoint(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return e, nil
}

// validate checks the flags that need no URL.
func (o *pushOptions) validate() error {
	switch {
	case o.retries < 0:
		return usageErrorf("--retries: must be 0 or more, not %d", o.retries)
	case o.pushTimeout <= 0:
		return usageErrorf("--push-timeout: must be more than 0, e.g. 10s")
	case o.pushMaxTime <= 0:
		return usageErrorf("--push-max-time: must be more than 0, e.g. 30s")
	}
	return pusher.Heartbeat{Status: o.status, Msg: o.msg, Ping: o.ping}.Validate()
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

// client returns the push client for o. Its error (a bad --ca-file) is a
// usage error, found before anything runs.
func (o *pushOptions) client(env Env, msgs messages) (*pusher.Client, error) {
	doer := env.HTTP
	if o.caFile != "" {
		hc, err := pusher.NewHTTPClientWithCA(o.caFile)
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		doer = hc
	}
	return &pusher.Client{
		HTTP:           doer,
		UserAgent:      userAgent(),
		Retries:        o.retries,
		AttemptTimeout: o.pushTimeout,
		MaxTime:        o.pushMaxTime,
		OnAttempt: func(a pusher.Attempt) {
			result := fmt.Sprintf("HTTP %d", a.Status)
			if a.Err != nil {
				result = a.Err.Error()
			}
			retry := ""
			if a.Retry > 0 {
				retry = fmt.Sprintf(", retrying in %v", a.Retry.Round(time.Millisecond))
			}
			msgs.verbosef("push attempt %d: %s in %v%s", a.N, result, a.Duration.Round(time.Millisecond), retry)
		},
	}, nil
}

// push sends h and reports a failure on stderr.
func push(ctx context.Context, c *pusher.Client, e *pusher.Endpoint, h pusher.Heartbeat, msgs messages) error {
	msgs.verbosef("pushing %s to %s", e.URL(h).Query().Get("status"), e)
	err := c.Push(ctx, e, h)
	if err != nil {
		msgs.errorf("%s", e.Redact(err.Error()))
	}
	return err
}
