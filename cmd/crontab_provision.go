package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/provision"
	"github.com/opkuma/opkuma/pusher"
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

// provisioned is one job of crontab wrap --provision.
type provisioned struct {
	provision.Slot
	line    crontab.Line
	where   string // FILE:LINE
	wrapped string // the new line
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
	dir, err := urlDir(env, p.urlDir)
	if err != nil {
		return err
	}
	src, err := o.readOne(env, args)
	if err != nil {
		return err
	}
	loc, err := o.interval.location()
	if err != nil {
		return err
	}
	jobs, err := o.selectJobs(env, src, loc, marginSet)
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
	backup, err := installCrontab(src, data, dir)
	if err != nil {
		return err
	}
	o.auditWrapped(env, src, jobs, data, nil)
	fmt.Fprintf(env.Stdout, "%s: %s wrapped; the crontab as it was is in %s\n", src.Name, crontab.Plural(len(jobs), "line", "lines"), backup)
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
func (o *crontabOptions) wrapJobs(env Env, s *kumaapi.Session, src crontab.Source, jobs []*provisioned, dir string) ([]byte, error) {
	slots := make([]*provision.Slot, len(jobs))
	for i, j := range jobs {
		slots[i] = &j.Slot
	}
	var noName *provision.NoFreeNameError
	err := provision.AssignNames(slots, s.Listed, provision.TakenTokens(src.Lines, env.Getenv, wrapper(env)), o.prov.tag, dir)
	if errors.As(err, &noName) {
		return nil, fmt.Errorf("%s: %w", jobs[noName.Index].where, err)
	} else if err != nil {
		return nil, err
	}
	wrapped := map[int]string{}
	for _, j := range jobs {
		prefix := caller(src.Lines[:j.line.Number]) + " run --url-file " + crontab.QuoteWord(j.URLFile) + " --"
		if j.wrapped, err = j.line.Wrap(prefix); err != nil {
			return nil, &exitError{code: exitFailure, msg: err.Error()}
		}
		wrapped[j.line.Number] = j.wrapped
	}
	return provision.ReplaceLines(src.Data, wrapped), nil
}

// applyJobs creates or updates each job's monitor and writes its url-file;
// the crontab is not touched yet.
func (o *crontabOptions) applyJobs(env Env, s *kumaapi.Session, jobs []*provisioned, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--url-dir: %w", err)
	}
	for _, j := range jobs {
		m, what, err := provision.Apply(s.Ctx, s, j.Decision, nil)
		if err == nil && j.Decision.Existing == nil {
			err = s.Refresh(s.Ctx)
		}
		if err != nil {
			return fmt.Errorf("%s: monitor %q: %w (the crontab is unchanged; what was done stays: run again to carry on)", j.where, j.Name, err)
		}
		fmt.Fprintf(env.Stdout, "%s: monitor %q (id %d): %s%s\n", j.where, m.Name, m.ID, what, j.note())
		if err := usable(env, m, "", ", then run again (the crontab is unchanged)"); err != nil {
			return err
		}
		if err := o.prov.kuma.savePushURL(env, j.where+": ", j.URLFile, m.PushToken); err != nil {
			return fmt.Errorf("%s: url-file: %w (the crontab is unchanged)", j.where, err)
		}
	}
	return nil
}

// note says why the job's monitor is not named after its base name.
func (j *provisioned) note() string {
	if j.Passed == "" {
		return ""
	}
	return fmt.Sprintf(" (not %q: %s)", j.Base, j.Passed)
}

// selectJobs returns the jobs to wrap: line --line, or every job not under
// opkuma run, with the monitor settings their schedules need. Jobs that
// have no interval (@reboot, a schedule cron rejects) are told and left.
func (o *crontabOptions) selectJobs(env Env, src crontab.Source, loc *time.Location, marginSet bool) ([]*provisioned, error) {
	ad, err := o.interval.advisor(marginSet)
	if err != nil {
		return nil, err
	}
	locs := crontab.Zones(src.Lines, loc)
	var jobs []*provisioned
	for i, l := range src.Lines {
		if o.line > 0 && l.Number != o.line {
			continue
		}
		if l.Kind != crontab.Job || l.Monitored() {
			if o.line > 0 {
				_, err := l.Wrap("opkuma")
				return nil, &exitError{code: exitFailure, msg: err.Error()}
			}
			continue
		}
		where := fmt.Sprintf("%s:%d", src.Name, l.Number)
		if u := l.UserField(crontab.IsUser); u != "" {
			return nil, usageErrorf("%s looks like a system crontab's line (%s is a user): give --system to wrap the command after the user field", where, u)
		}
		a, err := ad.Advise(l.Schedule, locs[i])
		if err != nil {
			fmt.Fprintf(env.Stdout, "%s: left as it is: %s\n", where, err)
			continue
		}
		want := provision.Plan(a.Interval, o.prov.kuma.retries, o.prov.kuma.retriesSet)
		want.Watch = watchSpec(env, where+": ", l.Schedule, locs[i], o.interval, marginSet)
		jobs = append(jobs, &provisioned{line: l, where: where, Slot: provision.Slot{
			Base: provision.JobName(src.Lines, i, o.prov.nameFrom), Want: want}})
	}
	return jobs, nil
}

// dryRun says what --write would do, and what the audit would say of the
// new lines, and changes nothing.
func (o *crontabOptions) dryRun(env Env, src crontab.Source, jobs []*provisioned, data []byte) error {
	creates, updates, files := 0, 0, 0
	missing := map[string]bool{}
	for _, j := range jobs {
		id := "new"
		if j.Decision.Existing != nil {
			id = fmt.Sprintf("id %d", j.Decision.Existing.ID)
		}
		switch {
		case j.Decision.Existing == nil:
			creates++
		case len(j.Decision.Changes) > 0:
			updates++
		}
		file := "to write"
		if _, err := os.Lstat(j.URLFile); err == nil {
			file = "exists"
		} else {
			missing[j.URLFile] = true
		}
		if file == "to write" {
			files++
		}
		fmt.Fprintln(env.Stdout, pusher.Redact(fmt.Sprintf("%s: monitor %q (%s): %s; url-file %s: %s%s", j.where, j.Name, id, j.Decision, j.URLFile, file, j.note())))
		fmt.Fprintln(env.Stdout, pusher.Redact(fmt.Sprintf("%s: + %s", j.where, strings.TrimSuffix(j.wrapped, "\r"))))
	}
	o.auditWrapped(env, src, jobs, data, missing)
	fmt.Fprintf(env.Stdout, "dry run, nothing changed: --write creates %s, updates %d, writes %s and wraps %s of %s\n",
		crontab.Plural(creates, "monitor", "monitors"), updates, crontab.Plural(files, "url-file", "url-files"), crontab.Plural(len(jobs), "line", "lines"), src.Name)
	return nil
}

// auditWrapped prints on stderr what the audit finds in the wrapped lines
// of data, but for a bare % the job had (the user's), and for url-files
// listed in missing (a dry run writes none).
func (o *crontabOptions) auditWrapped(env Env, src crontab.Source, jobs []*provisioned, data []byte, missing map[string]bool) {
	lines, err := crontab.Parse(bytes.NewReader(data), o.system)
	if err != nil {
		return
	}
	ours := map[int]bool{}
	percent := map[int]bool{} // the job fed its standard input with a bare %
	for _, j := range jobs {
		ours[j.line.Number] = true
		percent[j.line.Number] = strings.Contains(strings.ReplaceAll(j.line.CommandText(), `\%`, ""), "%")
	}
	for _, r := range o.auditor(env).Audit(lines) {
		if !ours[r.Line.Number] {
			continue
		}
		for _, f := range r.Findings {
			if f.Problem == crontab.URLFileMissing && missing[f.Text] || f.Problem == crontab.BarePercent && percent[r.Line.Number] {
				continue
			}
			msg, fix := crontab.Describe(f, r.Line)
			fmt.Fprintln(env.Stderr, pusher.Redact(fmt.Sprintf("opkuma: %s:%d: %s; fix: %s", src.Name, r.Line.Number, msg, fix)))
		}
	}
}

// installCrontab puts data in place of src, keeping what src was in a
// backup whose path it returns: FILE~ beside a file, or DIR/crontab-TIME.bak
// for the user's crontab, which is then installed with crontab -. It
// refuses when the crontab changed since it was read.
func installCrontab(src crontab.Source, data []byte, dir string) (string, error) {
	var (
		backup string
		err    error
	)
	if src.Name != "crontab -l" {
		backup, err = provision.InstallFile(src.Name, src.Data, data)
	} else {
		backup, err = provision.InstallUserCrontab(src.Data, data, dir, time.Now())
	}
	var changed *provision.ChangedError
	switch {
	case errors.As(err, &changed) && changed.Name == "":
		return "", errors.New("your crontab changed while opkuma worked: it is left as it is; run again")
	case errors.As(err, &changed):
		return "", fmt.Errorf("%s changed while opkuma worked: it is left as it is; run again", changed.Name)
	}
	return backup, err
}

// urlDir returns the directory of the url-files, absolute: --url-dir, else
// $XDG_CONFIG_HOME/opkuma, else ~/.config/opkuma.
func urlDir(env Env, flag string) (string, error) {
	dir := flag
	if dir == "" {
		if x := env.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
			dir = filepath.Join(x, "opkuma")
		} else {
			home, err := homeDir(env)("")
			if err != nil || home == "" {
				return "", usageErrorf("no home directory to keep the url-files in: give --url-dir DIR")
			}
			dir = filepath.Join(home, ".config", "opkuma")
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", usageErrorf("--url-dir: %v", err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return "", usageErrorf("--url-dir %s: not a directory", dir)
	}
	return abs, nil
}
