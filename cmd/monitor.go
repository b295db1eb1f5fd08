package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/clidoc"
	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/provision"
	"github.com/opkuma/opkuma/internal/watch"
	"github.com/opkuma/opkuma/pusher"
)

// kumaOptions name an Uptime Kuma server and the login, for every command
// that talks to it (monitor ensure, monitor check, crontab wrap --provision).
type kumaOptions struct {
	kuma         string
	user         string
	passwordFile string
	totpFile     string
	caFile       string
	timeout      time.Duration
	retries      int
	retriesSet   bool         // --retries given: existing monitors get it too
	httpClient   *http.Client // nil: the default; with --ca-file, one trusting it
}

// kumaFlags are the flags of kumaOptions, shared by the commands that log
// in to Uptime Kuma.
func kumaFlags(o *kumaOptions) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "kuma", Usage: "Uptime Kuma's `URL`, as the browser shows it (path prefix included); else $OPKUMA_KUMA_URL", Destination: &o.kuma},
		&cli.StringFlag{Name: "user", Usage: "log in as `USER`; else $OPKUMA_KUMA_USER", Destination: &o.user},
		&cli.StringFlag{Name: "password-file", Usage: "read the password from the first line of `FILE`; else $OPKUMA_KUMA_PASSWORD", Destination: &o.passwordFile},
		&cli.StringFlag{Name: "totp-file", Usage: "with two-factor authentication on: `FILE` holds its secret (base32, or the otpauth:// URI)", Destination: &o.totpFile},
		&cli.StringFlag{Name: "ca-file", Usage: "also trust the CA certificates (PEM) in `FILE` for an https Uptime Kuma", Destination: &o.caFile},
		&cli.DurationFlag{Name: "timeout", Usage: "bound on the whole exchange with Uptime Kuma, a `DURATION`", Value: time.Minute, Destination: &o.timeout},
		&cli.IntFlag{Name: "retries", Usage: "the monitor's Retries, `N`: 0 alerts at the first missed or failed run", Destination: &o.retries,
			DefaultText: "0 for a new monitor; an existing one keeps its own",
			Action:      func(*cli.Context, int) error { o.retriesSet = true; return nil }}, // run only when given, as c.IsSet
	}
}

// tagFlag is --tag: the tag that tells a job's monitor from another of the
// same name.
func tagFlag(dest *string) cli.Flag {
	return &cli.StringFlag{Name: "tag", Usage: "only a monitor with the tag `TAG` is the job's; a new one gets it", Destination: dest}
}

type monitorOptions struct {
	kumaOptions
	interval intervalOptions
	// ensure
	name     string
	schedule string
	urlFile  string
	tag      string
	resume   bool
	// check
	system bool
	// watch
	every   time.Duration
	verbose bool
}

func monitorCommand(env Env) *cli.Command {
	o := &monitorOptions{}
	server := func() []cli.Flag { return kumaFlags(&o.kumaOptions) }
	return &cli.Command{
		Name:  "monitor",
		Usage: "create or check Uptime Kuma Push monitors from cron schedules",
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("unknown command %q: see 'opkuma monitor --help'", c.Args().First())
			}
			return cli.ShowSubcommandHelp(c)
		},
		Subcommands: []*cli.Command{ensureCommand(env, o, server), checkCommand(env, o, server), watchCommand(env, o)},
	}
}

// ensureCommand is "opkuma monitor ensure".
func ensureCommand(env Env, o *monitorOptions, server func() []cli.Flag) *cli.Command {
	return &cli.Command{
		Name:        "ensure",
		Usage:       "create or update the Push monitor of one job and save its push URL",
		ArgsUsage:   " ",
		Description: clidoc.Help("monitor-ensure"),
		Flags: append(append(server(), intervalFlags(&o.interval)...),
			&cli.StringFlag{Name: "name", Usage: "the monitor's `NAME`", Destination: &o.name},
			&cli.StringFlag{Name: "schedule", Usage: "the job's cron `SCHEDULE` (5 fields or @daily...), quoted", Destination: &o.schedule},
			&cli.StringFlag{Name: "url-file", Usage: "write the push URL to `FILE` (mode 0600, replaced atomically)", Destination: &o.urlFile},
			tagFlag(&o.tag),
			&cliflag.BoolFlag{Name: "resume", Usage: "resume the monitor if it is paused in Uptime Kuma (else it stays paused)", Destination: &o.resume},
		),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("unexpected argument %q: opkuma monitor ensure takes flags only (quote the --schedule)", c.Args().First())
			}
			return o.ensure(env, c.IsSet("margin"))
		},
	}
}

// checkCommand is "opkuma monitor check".
func checkCommand(env Env, o *monitorOptions, server func() []cli.Flag) *cli.Command {
	return &cli.Command{
		Name:        "check",
		Usage:       "compare a crontab's opkuma jobs with their monitors; exit 1 on drift",
		ArgsUsage:   "[FILE|-]",
		Description: clidoc.Help("monitor-check"),
		Flags: append(append(server(), intervalFlags(&o.interval)...),
			&cliflag.BoolFlag{Name: "system", Usage: "system crontab format, with a user field; without FILE, read /etc/crontab and /etc/cron.d", Destination: &o.system}),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			return o.check(env, c.Args().Slice(), c.IsSet("margin"))
		},
	}
}

// watchCommand is monitor watch.
func watchCommand(env Env, o *monitorOptions) *cli.Command {
	return &cli.Command{
		Name:        "watch",
		Usage:       "push down to Push monitors whose job missed a scheduled run",
		ArgsUsage:   " ",
		Description: clidoc.Help("monitor-watch"),
		Flags: append(withoutFlag(kumaFlags(&o.kumaOptions), "retries"),
			&cli.DurationFlag{Name: "every", Usage: "run a pass every `DURATION` until SIGINT or SIGTERM; 0: one pass", Destination: &o.every},
			&cliflag.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "say why for the monitors that get no push", Destination: &o.verbose}),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("unexpected argument %q: opkuma monitor watch takes flags only", c.Args().First())
			}
			return o.watch(env)
		},
	}
}

// server checks the flags that name the server and the login.
func (o *kumaOptions) server(env Env) (kumaapi.Credentials, error) {
	if o.kuma == "" {
		o.kuma = env.Getenv("OPKUMA_KUMA_URL")
	}
	if o.user == "" {
		o.user = env.Getenv("OPKUMA_KUMA_USER")
	}
	cr := kumaapi.Credentials{Username: o.user}
	switch {
	case o.kuma == "":
		return cr, usageErrorf("no Uptime Kuma: give --kuma https://HOST (or set $OPKUMA_KUMA_URL)")
	case o.user == "":
		return cr, usageErrorf("no user: give --user NAME (or set $OPKUMA_KUMA_USER)")
	case o.timeout <= 0:
		return cr, usageErrorf("--timeout: must be more than 0, e.g. 1m")
	case o.retries < 0:
		return cr, usageErrorf("--retries: must be 0 or more, not %d", o.retries)
	}
	if _, err := kumaapi.ParseBaseURL(o.kuma); err != nil {
		return cr, usageErrorf("--kuma %v", err)
	}
	switch {
	case o.passwordFile != "":
		line, err := kumaapi.ReadSecret(o.passwordFile)
		if err != nil {
			return cr, usageErrorf("--password-file: %v", err)
		}
		cr.Password = line
	case env.Getenv("OPKUMA_KUMA_PASSWORD") != "":
		cr.Password = env.Getenv("OPKUMA_KUMA_PASSWORD")
	default:
		return cr, usageErrorf("no password: give --password-file FILE (or set $OPKUMA_KUMA_PASSWORD)")
	}
	if o.caFile != "" {
		hc, err := caClient(o.caFile)
		if err != nil {
			return cr, usageErrorf("%v", err)
		}
		o.httpClient = hc
	}
	if o.totpFile != "" {
		line, err := kumaapi.ReadSecret(o.totpFile)
		if err == nil {
			cr.TOTPSecret, err = kumaapi.ParseTOTPSecret(line)
		}
		if err != nil {
			return cr, usageErrorf("--totp-file %s: %v", o.totpFile, err)
		}
	}
	return cr, nil
}

// connect dials and logs in, within --timeout.
func (o *kumaOptions) connect(cr kumaapi.Credentials) (*kumaapi.Session, error) {
	return o.connectCtx(context.Background(), cr)
}

// connectCtx is connect within parent too; its error says what to do.
func (o *kumaOptions) connectCtx(parent context.Context, cr kumaapi.Credentials) (*kumaapi.Session, error) {
	s, err := kumaapi.Connect(parent, o.kuma, o.timeout, kumaapi.Options{HTTPClient: o.httpClient, UserAgent: userAgent()}, cr)
	var le *kumaapi.LoginError
	switch {
	case errors.Is(err, kumaapi.ErrTwoFactorRequired):
		return nil, &loginRefusedError{fmt.Errorf("user %q has two-factor authentication on: give --totp-file FILE holding its secret", cr.Username)}
	case errors.As(err, &le):
		return nil, &loginRefusedError{fmt.Errorf("Uptime Kuma at %s refused the login of %q: %s", o.kuma, cr.Username, le.Msg)}
	}
	return s, err
}

// decideError words an error of provision.Decide with what to do.
func decideError(err error) error {
	var (
		ambiguous *provision.AmbiguousError
		notPush   *provision.NotPushError
	)
	switch {
	case errors.As(err, &ambiguous):
		return fmt.Errorf("%w: rename all but one, or give --tag", err)
	case errors.As(err, &notPush):
		return fmt.Errorf("%w: choose another --name", err)
	}
	return err
}

// usable tells of a paused monitor m (resume: how else to resume it, ""
// or ", or ..."), and fails for one without a push token; after says what
// to do then, beyond saving it once.
func usable(env Env, m kumaapi.Monitor, resume, after string) error {
	switch {
	case m.GroupPaused:
		fmt.Fprintf(env.Stderr, "opkuma: monitor %q (id %d) is in a paused group: Uptime Kuma refuses its pushes until you resume the group there\n", m.Name, m.ID)
	case !m.Active:
		fmt.Fprintf(env.Stderr, "opkuma: monitor %q (id %d) is paused: Uptime Kuma refuses its pushes until you resume it there%s\n", m.Name, m.ID, resume)
	}
	if m.PushToken == "" {
		return fmt.Errorf("monitor %q (id %d) has no push token: open it in Uptime Kuma and save it once%s", m.Name, m.ID, after)
	}
	return nil
}

// savePushURL writes the push URL of token to file and says so, after
// where ("" or "FILE:LINE: ").
func (o *kumaOptions) savePushURL(env Env, where, file, token string) error {
	url, err := kumaapi.PushURL(o.kuma, token)
	if err != nil {
		return err
	}
	changed, err := provision.WriteURLFile(file, url+"\n")
	if err != nil {
		return err
	}
	if changed {
		fmt.Fprintf(env.Stdout, "%spush URL written to %s\n", where, file)
	} else {
		fmt.Fprintf(env.Stdout, "%spush URL in %s: unchanged\n", where, file)
	}
	return nil
}

func (o *monitorOptions) ensure(env Env, marginSet bool) error {
	cr, err := o.server(env)
	if err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(o.name) == "":
		return usageErrorf("no monitor name: give --name NAME")
	case strings.TrimSpace(o.schedule) == "":
		return usageErrorf("no schedule: give --schedule '0 * * * *' (the job's 5 cron fields, quoted)")
	}
	loc, ad, err := o.interval.advisor(marginSet)
	if err != nil {
		return err
	}
	a, err := ad.Advise(o.schedule, loc)
	if err != nil {
		return usageErrorf("--schedule: %v", err)
	}
	want := provision.Plan(a.Interval, o.retries, o.retriesSet)
	want.Watch = watchSpec(env, "", o.schedule, loc, o.interval, marginSet)
	if o.urlFile != "" {
		if fi, err := os.Stat(filepath.Dir(o.urlFile)); err != nil || !fi.IsDir() {
			return usageErrorf("--url-file %s: its directory does not exist", o.urlFile)
		}
	}

	s, err := o.connect(cr)
	if err != nil {
		return err
	}
	defer s.Close()
	d, err := provision.Decide(s.Listed, provision.Job{Name: o.name, Tag: o.tag, Want: want, Resume: o.resume})
	if err != nil {
		return decideError(err)
	}
	m, what, err := provision.Apply(s.Ctx, s, d, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "monitor %q (id %d): %s\n", m.Name, m.ID, what)
	if err := usable(env, m, ", or run again with --resume", ""); err != nil {
		return err
	}
	if o.urlFile == "" {
		fmt.Fprintf(env.Stderr, "opkuma: push URL not saved: give --url-file FILE, then run the job with opkuma run --url-file FILE\n")
		return nil
	}
	if err := o.savePushURL(env, "", o.urlFile, m.PushToken); err != nil {
		return fmt.Errorf("--url-file: %w", err)
	}
	return nil
}

// watchSpec is the schedule line of a job whose schedule runs in loc, for
// its monitor; nil, said on stderr after where ("" or "FILE:LINE: "), when
// the zone has no name to write (time.Local that neither $TZ nor
// /etc/localtime names).
func watchSpec(env Env, where, sched string, loc *time.Location, iv intervalOptions, marginSet bool) *watch.Spec {
	margin := time.Duration(-1)
	if marginSet {
		margin = iv.margin
	}
	spec, err := watch.SpecFor(sched, loc, env.Getenv, iv.runtime, margin)
	if errors.Is(err, watch.ErrNoZoneName) {
		err = fmt.Errorf("%w: give --tz ZONE", err)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "opkuma: %sschedule line not written (for opkuma monitor watch): %v\n", where, err)
	}
	return spec
}

func (o *monitorOptions) check(env Env, args []string, marginSet bool) error {
	cr, err := o.server(env)
	if err != nil {
		return err
	}
	sources, err := readCrontabs(env, args, o.system)
	if err != nil {
		return err
	}
	loc, ad, err := o.interval.advisor(marginSet)
	if err != nil {
		return err
	}
	jobs := provision.CheckedJobs(sources, loc, ad, wrapper(env), env.Getenv, tokenProblem)
	if len(jobs) == 0 {
		fmt.Fprintln(env.Stdout, "no job runs under opkuma run: nothing to check")
		return nil
	}
	s, err := o.connect(cr)
	if err != nil {
		return err
	}
	defer s.Close()
	zone := func(loc *time.Location) string { return watch.ZoneName(loc, env.Getenv) }
	drift := provision.CompareAll(jobs, s.Listed, o.retries, o.retriesSet, zone, time.Now())
	paused := provision.WriteChecked(env.Stdout, jobs)
	if drift == 0 {
		return nil
	}
	fix := "opkuma monitor ensure"
	if o.retriesSet {
		fix += fmt.Sprintf(" --retries %d", o.retries)
	}
	if paused {
		fix += " (--resume for a paused one)"
	}
	return &exitError{code: exitFailure, msg: fmt.Sprintf("%d of %d opkuma jobs drift from their monitors: see above; %s sets a monitor right", drift, len(jobs), fix)}
}

// tokenProblem words an error of provision.JobToken for monitor check.
func tokenProblem(err error) string {
	if errors.Is(err, provision.ErrNoPushURL) {
		return "no --url, --url-file or OPKUMA_URL in the line: cannot tell its monitor"
	}
	return urlFileError(err).Error()
}

// withoutFlag returns flags without the one named name.
func withoutFlag(flags []cli.Flag, name string) []cli.Flag {
	var out []cli.Flag
	for _, f := range flags {
		if f.Names()[0] != name {
			out = append(out, f)
		}
	}
	return out
}

func (o *monitorOptions) watch(env Env) error {
	cr, err := o.server(env)
	if err != nil {
		return err
	}
	if o.every < 0 {
		return usageErrorf("--every: must be 0 (one pass) or more, e.g. 1m")
	}
	if o.every == 0 {
		return o.watchPass(context.Background(), env, cr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return watch.Repeat(ctx, o.every, func(ctx context.Context) error { return o.watchPass(ctx, env, cr) },
		func(err error, first bool) bool {
			var (
				refused *loginRefusedError
				exit    *exitError // said already: the monitors a pass did not handle
			)
			return errors.As(err, &refused) || first && !errors.As(err, &exit)
		},
		func(err error) {
			if !errors.As(err, new(*exitError)) {
				fmt.Fprintf(env.Stderr, "opkuma: %v\n", err)
			}
		})
}

// loginRefusedError is a login Uptime Kuma refused: --every stops on it,
// as a retry would only be refused again.
type loginRefusedError struct{ error }

func (e *loginRefusedError) Unwrap() error { return e.error }

// watchPass logs in, runs one watch.Pass and says what it did.
func (o *monitorOptions) watchPass(ctx context.Context, env Env, cr kumaapi.Credentials) error {
	s, err := o.connectCtx(ctx, cr)
	if err != nil {
		return err
	}
	defer s.Close()
	base, _ := kumaapi.ParseBaseURL(o.kuma)
	doer := env.HTTP
	if o.httpClient != nil {
		doer = o.httpClient
	}
	p := &watch.Pass{Server: s, Base: base.String(), Pusher: pusher.Client{HTTP: doer, UserAgent: userAgent(), MaxTime: o.timeout}}
	results, err := p.Run(s.Ctx)
	if err != nil {
		return err
	}
	failed := watch.Report(ctx, env.Stdout, env.Stderr, results, o.verbose)
	if failed > 0 {
		return &exitError{code: exitFailure, msg: fmt.Sprintf("%d of %d watched monitors not handled: see above; the next pass tries again", failed, len(results))}
	}
	return nil
}
