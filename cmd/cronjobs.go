package cmd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/clidoc"
	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/kube"
	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/provision"
)

type cronjobsOptions struct {
	interval intervalOptions
	file     string
	json     bool
	// provision
	kuma    kumaOptions
	cluster string
	write   bool
	secrets bool
	urlDir  string
}

func cronjobsCommand(env Env) *cli.Command {
	o := &cronjobsOptions{}
	common := func() []cli.Flag {
		return append(withoutFlag(intervalFlags(&o.interval), "tz"),
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "read the CronJobs from `FILE` (- for standard input)", Destination: &o.file},
			&cli.StringFlag{Name: "tz", Usage: "the time `ZONE` of CronJobs without spec.timeZone (the kube-controller-manager's)", Value: "UTC", Destination: &o.interval.tz})
	}
	return &cli.Command{
		Name:        "cronjobs",
		Usage:       "audit Kubernetes CronJobs: the interval each one's monitor needs, and what would make its heartbeats lie",
		ArgsUsage:   " ",
		Description: clidoc.Help("cronjobs"),
		Flags: append(common(),
			&cliflag.BoolFlag{Name: "json", Usage: "print JSON for machines (tokens hidden)", Destination: &o.json}),
		OnUsageError: onUsageError,
		Action:       func(c *cli.Context) error { return o.audit(env, c.Args().Slice(), c.IsSet("margin")) },
		Subcommands: []*cli.Command{{
			Name:        "provision",
			Usage:       "create or update a Push monitor NAMESPACE/NAME per CronJob and hand over its push URL (dry run without --write)",
			ArgsUsage:   " ",
			Description: clidoc.Help("cronjobs-provision"),
			Flags: append(append(common(), kumaFlags(&o.kuma)...),
				&cli.StringFlag{Name: "cluster", Usage: "tag the monitors with the cluster's `NAME`; only monitors with the tag are this cluster's", Destination: &o.cluster},
				&cliflag.BoolFlag{Name: "write", Usage: "make the changes; without it, only say what they would be", Destination: &o.write},
				&cliflag.BoolFlag{Name: "secrets", Usage: "print the push URLs as Secret manifests (opkuma-NAME, key url) for kubectl apply -f -", Destination: &o.secrets},
				&cli.StringFlag{Name: "url-dir", Usage: "write each push URL to `DIR`/NAMESPACE_NAME.url (mode 0600)", Destination: &o.urlDir}),
			OnUsageError: onUsageError,
			Action:       func(c *cli.Context) error { return o.provision(env, c.Args().Slice(), c.IsSet("margin")) },
		}},
	}
}

// read returns the CronJobs of --file, and the objects that are not.
func (o *cronjobsOptions) read(env Env, args []string) ([]kube.CronJob, []kube.Skipped, error) {
	switch {
	case len(args) > 0:
		return nil, nil, usageErrorf("unexpected argument %q: give the file with -f FILE", args[0])
	case o.file == "":
		return nil, nil, usageErrorf("no CronJobs: give -f FILE (kubectl get cronjobs -A -o json > FILE), or -f - for standard input")
	}
	jobs, skipped, err := kube.ReadFile(o.file, env.Stdin)
	var pe *fs.PathError
	var none *kube.NoCronJobsError
	switch {
	case errors.As(err, &pe):
		return nil, nil, usageErrorf("-f %v", err)
	case errors.As(err, &none):
		return nil, nil, &exitError{code: exitFailure, msg: fmt.Sprintf("%s: no batch/v1 CronJob in it (%d other objects): give what kubectl get cronjobs -A -o json prints", o.file, none.Skipped)}
	}
	return jobs, skipped, err
}

// audit prints each CronJob's interval and problems; exit 1 on a problem.
func (o *cronjobsOptions) audit(env Env, args []string, marginSet bool) error {
	jobs, skipped, err := o.read(env, args)
	if err != nil {
		return err
	}
	loc, ad, err := o.interval.advisor(marginSet)
	if err != nil {
		return err
	}
	res := kube.Audit(jobs, skipped, ad, loc, crontab.ArgvMonitored)
	return writeReport(env, res, o.json, res.Problems)
}

// provision creates or updates the CronJobs' monitors and hands over
// their push URLs; a dry run without --write.
func (o *cronjobsOptions) provision(env Env, args []string, marginSet bool) error {
	cr, err := o.kuma.server(env)
	if err != nil {
		return err
	}
	if o.secrets == (o.urlDir != "") {
		return usageErrorf("give one of --secrets (Secret manifests on stdout, for kubectl apply -f -) or --url-dir DIR")
	}
	jobs, _, err := o.read(env, args)
	if err != nil {
		return err
	}
	loc, ad, err := o.interval.advisor(marginSet)
	if err != nil {
		return err
	}
	s, err := o.kuma.connect(cr)
	if err != nil {
		return err
	}
	defer s.Close()
	p := kube.Planner{Advisor: ad, Controller: loc, Tag: o.cluster, Retries: o.kuma.retries, RetriesSet: o.kuma.retriesSet}
	mons, left, err := p.Plan(jobs, s.Listed)
	if err != nil {
		return planError(err)
	}
	say := env.Stdout
	if o.secrets {
		say = env.Stderr // stdout is kubectl's
	}
	kube.WriteLeft(say, left)
	if !o.write {
		fmt.Fprintln(say, kube.WriteDryRun(say, mons, o.urlDir))
		return nil
	}
	if err := o.apply(env, say, s, mons); err != nil {
		return err
	}
	fmt.Fprintln(say, kube.Done(mons))
	return nil
}

// apply makes each monitor as planned and hands over its push URL.
func (o *cronjobsOptions) apply(env Env, say io.Writer, s *kumaapi.Session, mons []kube.Monitor) error {
	if o.urlDir != "" {
		if err := os.MkdirAll(o.urlDir, 0o700); err != nil {
			return fmt.Errorf("--url-dir: %w", err)
		}
	}
	var pushes []kube.Push
	for _, mon := range mons {
		where := mon.Job.MonitorName()
		m, what, err := provision.Apply(s.Ctx, s, mon.Decision, nil)
		if err != nil {
			return fmt.Errorf("%s: %w (what was done stays: run again to carry on)", where, err)
		}
		fmt.Fprintf(say, "%s: monitor %q (id %d): %s\n", where, m.Name, m.ID, what)
		if err := usable(env, m, "", ", then run again"); err != nil {
			return err
		}
		if o.urlDir != "" {
			file, _ := mon.Job.URLFile(o.urlDir) // Plan left the CronJobs without one
			if err := o.kuma.savePushURL(env, where+": ", file, m.PushToken); err != nil {
				return fmt.Errorf("%s: url-file: %w", where, err)
			}
			continue
		}
		url, err := kumaapi.PushURL(o.kuma.kuma, m.PushToken)
		if err != nil {
			return err
		}
		pushes = append(pushes, kube.Push{Job: mon.Job, URL: url})
	}
	if !o.secrets {
		return nil
	}
	out, err := kube.SecretList(pushes, kube.YAML)
	if err == nil {
		_, err = env.Stdout.Write(out)
	}
	return err
}

// planError words an error of kube.Planner.Plan with what to do.
func planError(err error) error {
	if errors.As(err, new(*provision.NotPushError)) {
		return fmt.Errorf("%w: rename it in Uptime Kuma, or give --cluster", err)
	}
	return fmt.Errorf("%w: rename all but one in Uptime Kuma, or give --cluster", err)
}
