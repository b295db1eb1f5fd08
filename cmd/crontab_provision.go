package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/provision"
	"github.com/opkuma/opkuma/internal/report"
	"github.com/opkuma/opkuma/internal/watch"
)

// provisionOptions are crontab wrap's flags for --provision.
type provisionOptions struct {
	enabled  bool
	kuma     kumaOptions
	urlDir   string
	nameFrom string
	tag      string
	write    bool
}

// provisionFlags are --provision and the flags that only it takes: the
// login flags of opkuma monitor, shared with it.
func provisionFlags(o *provisionOptions) []cli.Flag {
	return append([]cli.Flag{
		&cliflag.BoolFlag{Name: "provision", Usage: "create or update each job's Push monitor in Uptime Kuma, write its url-file, wrap the job (dry run without --write)", Destination: &o.enabled},
		&cliflag.BoolFlag{Name: "write", Usage: "with --provision: make the changes; without it, only say what they would be", Destination: &o.write},
		&cli.StringFlag{Name: "url-dir", Usage: "with --provision: write each job's push URL to `DIR`/NAME.url (default ~/.config/opkuma)", Destination: &o.urlDir},
		&cli.StringFlag{Name: "name-from", Usage: "with --provision: `FROM` comment: name a monitor after the comment just above its job, else the job's command; command: always after the command", Value: "comment", Destination: &o.nameFrom},
		tagFlag(&o.tag),
	}, kumaFlags(&o.kuma)...)
}

func (o *crontabOptions) wrapProvision(env Env, args []string, marginSet bool) error {
	p := &o.prov
	if err := o.checkProvision(args); err != nil {
		return err
	}
	cr, err := p.kuma.server(env)
	if err != nil {
		return err
	}
	dir, err := provision.URLDir(p.urlDir, env.Getenv, func() (string, error) { return crontab.Homes(env.Getenv)("") })
	switch {
	case errors.Is(err, provision.ErrNoURLDir):
		return usageErrorf("%v: give --url-dir DIR", err)
	case err != nil:
		return usageErrorf("--url-dir %v", err)
	}
	src, err := o.readOne(env, args)
	if err != nil {
		return err
	}
	jobs, err := o.selectJobs(env, src, marginSet)
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		fmt.Fprintf(env.Stdout, "%s: nothing to wrap: every job with a schedule runs under opkuma run already\n", src.Name)
		return nil
	}

	s, err := p.kuma.connect(cr)
	if err != nil {
		return err
	}
	defer s.Close()
	data, err := o.wrapJobs(env, s, src, jobs, dir)
	if err != nil {
		return err
	}
	if !p.write {
		return o.dryRun(env, src, jobs, data)
	}
	if err := o.applyJobs(env, s, jobs, dir); err != nil {
		return err
	}
	backup, err := provision.InstallCrontab(src, data, dir)
	if err != nil {
		return err
	}
	o.auditWrapped(env, src, jobs, data, map[string]bool{})
	fmt.Fprintf(env.Stdout, "%s: %s wrapped; the crontab as it was is in %s\n", src.Name, report.Plural(len(jobs), "line", "lines"), backup)
	return nil
}

// checkProvision rejects the flags --provision cannot take.
func (o *crontabOptions) checkProvision(args []string) error {
	p := &o.prov
	switch {
	case o.url != "" || o.urlFile != "" || o.urlFileInsecure:
		return usageErrorf("--provision writes one url-file per job in --url-dir: drop --url, --url-file and --url-file-insecure")
	case p.nameFrom != provision.FromComment && p.nameFrom != provision.FromCommand:
		return usageErrorf("--name-from %q: want comment or command", p.nameFrom)
	case o.system:
		return usageErrorf("--provision does not handle system crontabs (their jobs run as other users): use opkuma monitor ensure and crontab wrap --line for each job")
	case p.write && len(args) == 1 && args[0] == "-":
		return usageErrorf("--write cannot write back to standard input: give the FILE, or none for your crontab")
	}
	return nil
}

// wrapJobs names each job's monitor and url-file, and returns the crontab
// with every job's line wrapped.
func (o *crontabOptions) wrapJobs(env Env, s *kumaapi.Session, src crontab.Source, jobs []*provision.Wrapping, dir string) ([]byte, error) {
	taken := provision.TakenTokens(src.Lines, env.Getenv, wrapper(env))
	return provision.WrapAll(src, jobs, s.Listed, taken, o.prov.tag, dir, func(j *provision.Wrapping) string {
		return caller(src.Lines[:j.Line.Number]) + " run --url-file " + crontab.QuoteWord(j.URLFile) + " --"
	})
}

// applyJobs creates or updates each job's monitor and writes its url-file;
// the crontab is not touched yet.
func (o *crontabOptions) applyJobs(env Env, s *kumaapi.Session, jobs []*provision.Wrapping, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--url-dir: %w", err)
	}
	for _, j := range jobs {
		m, what, err := provision.Apply(s.Ctx, s, j.Decision, nil)
		if err == nil && j.Decision.Existing == nil {
			err = s.Refresh(s.Ctx)
		}
		if err != nil {
			return fmt.Errorf("%s: monitor %q: %w (the crontab is unchanged; what was done stays: run again to carry on)", j.Where, j.Name, err)
		}
		fmt.Fprintf(env.Stdout, "%s: monitor %q (id %d): %s%s\n", j.Where, m.Name, m.ID, what, j.Note())
		if err := usable(env, m, "", ", then run again (the crontab is unchanged)"); err != nil {
			return err
		}
		if err := o.prov.kuma.savePushURL(env, j.Where+": ", j.URLFile, m.PushToken); err != nil {
			return fmt.Errorf("%s: url-file: %w (the crontab is unchanged)", j.Where, err)
		}
	}
	return nil
}

// selectJobs returns the jobs to wrap: line --line, or every job not under
// opkuma run, with the monitor settings their schedules need. Jobs that
// have no interval (@reboot, a schedule cron rejects) are told and left.
func (o *crontabOptions) selectJobs(env Env, src crontab.Source, marginSet bool) ([]*provision.Wrapping, error) {
	loc, ad, err := o.interval.advisor(marginSet)
	if err != nil {
		return nil, err
	}
	jobs, err := provision.SelectJobs(src, provision.Selection{
		Line: o.line, NameFrom: o.prov.nameFrom, Loc: loc, Advisor: ad,
		Retries: o.prov.kuma.retries, RetriesSet: o.prov.kuma.retriesSet,
		Watch: func(where, sched string, loc *time.Location) *watch.Spec {
			return watchSpec(env, where+": ", sched, loc, o.interval, marginSet)
		},
		Skip: func(where string, err error) { fmt.Fprintf(env.Stdout, "%s: left as it is: %s\n", where, err) },
	})
	var sys *provision.SystemLineError
	switch {
	case errors.As(err, &sys):
		return nil, usageErrorf("%v: give --system to wrap the command after the user field", err)
	case err != nil:
		return nil, &exitError{code: exitFailure, msg: err.Error()}
	}
	return jobs, nil
}

// dryRun says what --write would do, and what the audit would say of the
// new lines, and changes nothing.
func (o *crontabOptions) dryRun(env Env, src crontab.Source, jobs []*provision.Wrapping, data []byte) error {
	missing := map[string]bool{}
	summary := provision.WriteDryRun(env.Stdout, src.Name, jobs, missing)
	o.auditWrapped(env, src, jobs, data, missing)
	fmt.Fprintln(env.Stdout, summary)
	return nil
}

// auditWrapped prints on stderr what the audit finds in the wrapped lines
// of data (provision.WrappedFindings).
func (o *crontabOptions) auditWrapped(env Env, src crontab.Source, jobs []*provision.Wrapping, data []byte, missing map[string]bool) {
	lines, err := crontab.Parse(bytes.NewReader(data), o.system)
	if err != nil {
		return
	}
	for _, r := range provision.WrappedFindings(o.auditor(env), lines, jobs, missing) {
		r.WriteFindings(env.Stderr, fmt.Sprintf("%s:%d", src.Name, r.Line.Number))
	}
}
