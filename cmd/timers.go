package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/clidoc"
	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/provision"
	"github.com/opkuma/opkuma/internal/systemd"
	"github.com/opkuma/opkuma/internal/watch"
)

// unitOptions name a systemd instance's unit files.
type unitOptions struct {
	root string
	user bool
}

func unitFlags(o *unitOptions) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "root", Usage: "read the unit files under `DIR`, as systemctl --root does", Value: "/", Destination: &o.root},
		&cliflag.BoolFlag{Name: "user", Usage: "the user's timers (systemctl --user), not the system's", Destination: &o.user},
	}
}

// timer loads the timer name from the unit files the options name.
func (o *unitOptions) timer(env Env, name string) (systemd.Tree, *systemd.Timer, error) {
	t := systemd.Tree{Root: o.root, User: o.user}
	if fi, err := os.Stat(o.root); err != nil || !fi.IsDir() {
		return t, nil, usageErrorf("--root %s: not a directory", o.root)
	}
	if o.user {
		h, err := crontab.Homes(env.Getenv)("")
		if err != nil {
			return t, nil, usageErrorf("--user: no home directory: set $HOME")
		}
		t.Home = h
	}
	if name == "" {
		return t, nil, nil
	}
	tm, err := t.Timer(name)
	switch {
	case errors.Is(err, systemd.ErrNotFound):
		return t, nil, usageErrorf("%s: no such timer in the unit files under %s (opkuma timers lists them)", name, o.root)
	case err != nil:
		return t, nil, err
	case tm.Masked:
		return t, nil, usageErrorf("%s is masked (%s): systemd never starts it", tm.Name, tm.Path)
	}
	return t, tm, nil
}

type timersOptions struct {
	interval intervalOptions
	units    unitOptions
	json     bool
	urlFile  string
	prov     provisionOptions // nameFrom unused: a timer's job is named after it
}

func timersCommand(env Env) *cli.Command {
	o := &timersOptions{}
	common := func() []cli.Flag { return append(intervalFlags(&o.interval), unitFlags(&o.units)...) }
	return &cli.Command{
		Name:        "timers",
		Usage:       "audit systemd timers: which run under opkuma, the interval each monitor needs, what to fix",
		ArgsUsage:   " ",
		Description: clidoc.Help("timers"),
		Flags: append(common(),
			&cliflag.BoolFlag{Name: "json", Usage: "print JSON for machines: every timer, its command, problems and interval (tokens hidden)", Destination: &o.json}),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("unexpected argument %q: opkuma timers takes flags only (opkuma timers wrap NAME.timer wraps one)", c.Args().First())
			}
			t, _, err := o.units.timer(env, "")
			if err != nil {
				return err
			}
			loc, ad, err := o.interval.advisor(c.IsSet("margin"))
			if err != nil {
				return err
			}
			res := t.AuditAll(ad, loc, crontab.ArgvMonitored)
			return writeReport(env, res, o.json, res.Problems)
		},
		Subcommands: []*cli.Command{timersWrapCommand(env, o, common)},
	}
}

func timersWrapCommand(env Env, o *timersOptions, common func() []cli.Flag) *cli.Command {
	p := &o.prov
	login := append([]cli.Flag{
		&cliflag.BoolFlag{Name: "provision", Usage: "create or update the timer's Push monitor (named after it) in Uptime Kuma and write its url-file", Destination: &p.enabled},
		&cli.StringFlag{Name: "url-dir", Usage: "with --provision: write the push URL to `DIR`/NAME.url (default /etc/opkuma; --user: ~/.config/opkuma)", Destination: &p.urlDir},
		&cli.StringFlag{Name: "kuma-user", Usage: "with --provision: log in to Uptime Kuma as `USER`; else $OPKUMA_KUMA_USER", Destination: &p.kuma.user},
		tagFlag(&p.tag),
	}, withoutFlag(kumaFlags(&p.kuma), "user")...)
	return &cli.Command{
		Name:        "wrap",
		Usage:       "print (with --write, write) the drop-in that runs a timer's job under opkuma run; with --provision, set up its monitor too",
		ArgsUsage:   "NAME.timer (--url-file FILE | --provision --kuma URL --kuma-user USER) [--write]",
		Description: clidoc.Help("timers-wrap"),
		Flags: append(append(common(), login...),
			&cli.StringFlag{Name: "url-file", Usage: "the wrapped job reads its push URL from `FILE`", Destination: &o.urlFile},
			&cliflag.BoolFlag{Name: "write", Usage: "make the changes; without it, only say what they would be", Destination: &p.write}),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			switch {
			case c.NArg() != 1:
				return usageErrorf("give one NAME.timer to wrap (--user is the systemd instance, as for systemctl; log in with --kuma-user USER)")
			case (o.urlFile == "") == !p.enabled:
				return usageErrorf("give one of --url-file FILE or --provision")
			case !p.enabled && (c.IsSet("kuma") || c.IsSet("kuma-user") || c.IsSet("url-dir") || c.IsSet("tag")):
				return usageErrorf("--kuma, --kuma-user, --url-dir and --tag work with --provision only")
			case p.enabled && p.kuma.user == "" && env.Getenv("OPKUMA_KUMA_USER") == "":
				return usageErrorf("no user: give --kuma-user NAME (or set $OPKUMA_KUMA_USER)")
			}
			return o.wrap(env, c.Args().First(), c.IsSet("margin"))
		},
	}
}

// writeDropIn writes w's drop-in (mode 0644, its directory made) and says
// what to run next.
func (o *timersOptions) writeDropIn(env Env, w *systemd.Wrapping) error {
	if w.Unchanged() {
		fmt.Fprintf(env.Stdout, "%s: unchanged\n", w.Path)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(w.Path), 0o755); err != nil {
		return err
	}
	if err := provision.WriteFileAtomic(w.Path, w.Data, 0o644); err != nil {
		return err
	}
	reload := "systemctl daemon-reload"
	if o.units.user {
		reload = "systemctl --user daemon-reload"
	}
	fmt.Fprintf(env.Stdout, "%s: written; now run: %s\n", w.Path, reload)
	return nil
}

// wrap plans the drop-in of timer name's service (and, with --provision,
// its monitor and url-file), prints it and, with --write, makes it so.
func (o *timersOptions) wrap(env Env, name string, marginSet bool) error {
	var cr kumaapi.Credentials
	if o.prov.enabled {
		var err error
		if cr, err = o.prov.kuma.server(env); err != nil {
			return err
		}
	}
	t, tm, err := o.units.timer(env, name)
	if err != nil {
		return err
	}
	loc, ad, err := o.interval.advisor(marginSet)
	if err != nil {
		return err
	}
	a, advErr := tm.Advise(ad, loc)
	urlFile := o.urlFile
	if o.prov.enabled {
		if advErr != nil {
			return usageErrorf("%s: no interval for its monitor: %v", tm.Name, advErr)
		}
		if urlFile, err = o.provisionedFile(env, t, tm); err != nil {
			return err
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	w, err := t.Wrap(tm, []string{exe, "run", "--url-file", urlFile, "--"}, crontab.ArgvMonitored)
	if we := (*systemd.WrapError)(nil); errors.As(err, &we) {
		msg := strings.TrimPrefix(we.Error(), "systemd: ")
		if errors.Is(err, systemd.ErrWrapped) {
			msg = we.Service + " runs its job under opkuma run already"
		}
		return usageErrorf("%s: %s", tm.Name, msg)
	} else if err != nil {
		return err
	}
	if advErr == nil {
		fmt.Fprintf(env.Stderr, "opkuma: %s: set the monitor's Heartbeat Interval to %d s (largest gap %d s + margin)\n", tm.Name, a.Value(), a.GapSeconds())
	}
	if o.prov.enabled {
		want := provision.Plan(a.Interval, o.prov.kuma.retries, o.prov.kuma.retriesSet)
		if zone := watch.ZoneName(loc, env.Getenv); zone != "" {
			want.Watch = tm.WatchSpec(zone, ad.Runtime, ad.Margin)
		}
		if err := o.provisionMonitor(env, cr, tm, want, urlFile); err != nil {
			return err
		}
	}
	w.Report.WriteFindings(env.Stderr, tm.Name)
	if o.prov.write {
		return o.writeDropIn(env, w)
	}
	fmt.Fprintf(env.Stdout, "# %s\n%s", w.Path, w.Data)
	fmt.Fprintf(env.Stdout, "dry run, nothing changed: --write writes %s\n", w.Path)
	return nil
}

// provisionedFile is the url-file of tm's monitor: NAME.url in --url-dir.
func (o *timersOptions) provisionedFile(env Env, t systemd.Tree, tm *systemd.Timer) (string, error) {
	dir := o.prov.urlDir
	if dir == "" {
		dir = t.URLDir(env.Getenv)
	}
	dir, err := provision.URLDir(dir, env.Getenv, nil)
	if err != nil {
		return "", usageErrorf("--url-dir %v", err)
	}
	return filepath.Join(dir, provision.FileStem(tm.JobName())+".url"), nil
}

// provisionMonitor creates or updates tm's monitor, interval a's, and
// writes its push URL to urlFile; without --write it only says what it
// would do.
func (o *timersOptions) provisionMonitor(env Env, cr kumaapi.Credentials, tm *systemd.Timer, want provision.Target, urlFile string) error {
	p := &o.prov
	s, err := p.kuma.connect(cr)
	if err != nil {
		return err
	}
	defer s.Close()
	d, err := provision.Decide(s.Listed, provision.Job{Name: tm.JobName(), Tag: p.tag, Want: want})
	if err != nil {
		return decideError(err)
	}
	if !p.write {
		id, file := "new", "to write"
		if d.Existing != nil {
			id = fmt.Sprintf("id %d", d.Existing.ID)
		}
		if _, err := os.Lstat(urlFile); err == nil {
			file = "exists"
		}
		fmt.Fprintf(env.Stdout, "monitor %q (%s): %s; url-file %s: %s\n", d.Job.Name, id, d, urlFile, file)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(urlFile), 0o700); err != nil {
		return fmt.Errorf("--url-dir: %w", err)
	}
	m, what, err := provision.Apply(s.Ctx, s, d, nil)
	if err != nil {
		return fmt.Errorf("monitor %q: %w (the drop-in is not written: run again to carry on)", d.Job.Name, err)
	}
	fmt.Fprintf(env.Stdout, "monitor %q (id %d): %s\n", m.Name, m.ID, what)
	if err := usable(env, m, "", ", then run again (the drop-in is not written)"); err != nil {
		return err
	}
	return p.kuma.savePushURL(env, "", urlFile, m.PushToken)
}
