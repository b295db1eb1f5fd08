package cmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/calendar"
	"github.com/opkuma/opkuma/internal/clidoc"
	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/internal/schedule"
	"github.com/opkuma/opkuma/internal/systemd"
)

type intervalOptions struct {
	runtime  time.Duration
	margin   time.Duration
	tz       string
	from     string
	explain  bool
	version  string
	calendar cli.StringSlice // systemd OnCalendar= expressions
	timer    string          // a systemd timer unit's name
	units    unitOptions     // where the timer's unit files are
}

func intervalFlags(o *intervalOptions) []cli.Flag {
	return []cli.Flag{
		&cli.DurationFlag{Name: "runtime", Usage: "the job's longest run, a `DURATION` like 1m", DefaultText: "0", Destination: &o.runtime},
		&cli.DurationFlag{Name: "margin", Usage: "safety margin, a `DURATION` like 5m", DefaultText: "10% of the largest gap, at least 1m", Destination: &o.margin},
		&cli.StringFlag{Name: "tz", Usage: "time `ZONE` of the schedule, e.g. Europe/Paris (default: the local zone, $TZ)", Destination: &o.tz},
		&cli.StringFlag{Name: "from", Usage: "look at runs from `DATE` (YYYY-MM-DD) on (default: today)", Destination: &o.from},
		&cli.StringFlag{Name: "kuma-version", Usage: "the Uptime Kuma `VERSION` the monitor lives on: 2.5 and later take any interval, earlier ones at most 2073600 s (default: a value every version takes)", Destination: &o.version},
	}
}

func intervalCommand(env Env) *cli.Command {
	o := &intervalOptions{}
	return &cli.Command{
		Name:        "interval",
		Usage:       "recommend a Push monitor's heartbeat interval for a cron schedule",
		ArgsUsage:   "SCHEDULE | --calendar EXPR... | --timer NAME.timer [--root DIR] [--user]",
		Description: clidoc.Help("interval"),
		Flags: append(append(intervalFlags(o),
			&cliflag.BoolFlag{Name: "explain", Usage: "say how the number was found", Destination: &o.explain},
			&cli.StringSliceFlag{Name: "calendar", Usage: "a systemd timer's OnCalendar= `EXPR` (give it once per OnCalendar= line) in place of SCHEDULE", Destination: &o.calendar},
			&cli.StringFlag{Name: "timer", Usage: "the systemd timer `NAME`.timer, read from its unit file and drop-ins, in place of SCHEDULE", Destination: &o.timer}),
			unitFlags(&o.units)...),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			given := 0
			for _, set := range []bool{c.Args().Present(), len(o.calendar.Value()) > 0, o.timer != ""} {
				if set {
					given++
				}
			}
			switch {
			case given > 1 && o.timer != "":
				return usageErrorf("give a SCHEDULE, --calendar or --timer, one of them")
			case given > 1:
				return usageErrorf("give a SCHEDULE or --calendar, not both")
			case o.timer == "" && (c.IsSet("root") || c.IsSet("user")):
				return usageErrorf("--root and --user go with --timer NAME.timer")
			case given == 1 && !c.Args().Present():
				return o.run(env, "", c.IsSet("margin"))
			case !c.Args().Present():
				return usageErrorf("no schedule: give one, e.g. opkuma interval '0 * * * *' (or --calendar 'Mon..Fri 02:00' for a systemd timer)")
			}
			return o.run(env, strings.Join(c.Args().Slice(), " "), c.IsSet("margin"))
		},
	}
}

// location returns the zone named by --tz, or the local one.
func (o *intervalOptions) location() (*time.Location, error) {
	if o.tz == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(o.tz)
	if err != nil {
		return nil, usageErrorf("--tz %q: unknown time zone: use a name like Europe/Paris or UTC", o.tz)
	}
	return loc, nil
}

// advisor returns the zone --tz names (else the local one) and the
// advisor --runtime, --margin (when set), --from and --kuma-version make,
// or the usage error of one of them.
func (o *intervalOptions) advisor(marginSet bool) (*time.Location, *schedule.Advisor, error) {
	loc, err := o.location()
	if err != nil {
		return nil, nil, err
	}
	if o.runtime < 0 || o.margin < 0 {
		return nil, nil, usageErrorf("--runtime and --margin must not be negative")
	}
	ad := &schedule.Advisor{Runtime: o.runtime, Margin: -1} // -1: schedule.Margin of the gap
	if marginSet {
		ad.Margin = o.margin
	}
	if o.from != "" {
		t, err := time.Parse(time.DateOnly, o.from)
		if err != nil {
			return nil, nil, usageErrorf("--from %q: want a date like 2026-01-31", o.from)
		}
		ad.From = t
	}
	free, err := schedule.Uncapped(o.version)
	if err != nil {
		return nil, nil, usageErrorf("--kuma-version %v", err)
	}
	ad.Uncapped = free
	return loc, ad, nil
}

func (o *intervalOptions) run(env Env, spec string, marginSet bool) error {
	loc, ad, err := o.advisor(marginSet)
	if err != nil {
		return err
	}
	var a schedule.Advice
	if o.timer != "" {
		var tm *systemd.Timer
		if _, tm, err = o.units.timer(env, o.timer); err != nil {
			return err
		}
		spec = tm.Name + " (" + tm.Describe() + ")"
		if a, err = tm.Advise(ad, loc); err != nil {
			err = fmt.Errorf("%s: %w", tm.Name, err)
		}
	} else if exprs := o.calendar.Value(); len(exprs) > 0 {
		spec = strings.Join(exprs, "; ")
		a, err = adviseCalendar(ad, exprs, loc)
	} else {
		a, err = ad.Advise(spec, loc)
	}
	if err != nil {
		return usageErrorf("%v", err)
	}
	if o.explain {
		how := "10% of the gap, at least 60 s"
		if marginSet {
			how = "--margin"
		}
		a.Explain(env.Stdout, spec, loc, how)
	} else {
		fmt.Fprintln(env.Stdout, a.Value())
	}
	if w := a.Warning(); w != "" {
		fmt.Fprintf(env.Stderr, "opkuma: %s\n", w)
	}
	return nil
}

// adviseCalendar is ad's advice for a systemd timer's OnCalendar=
// expressions, their zone loc unless they name one.
func adviseCalendar(ad *schedule.Advisor, exprs []string, loc *time.Location) (schedule.Advice, error) {
	specs := make([]*calendar.Spec, 0, len(exprs))
	for _, e := range exprs {
		sp, err := calendar.Parse(e)
		if err != nil {
			return schedule.Advice{}, fmt.Errorf("--calendar: %w", err)
		}
		specs = append(specs, sp)
	}
	a, err := calendar.Advise(ad, specs, loc)
	if err != nil {
		return a, fmt.Errorf("--calendar: %w", err)
	}
	return a, nil
}
