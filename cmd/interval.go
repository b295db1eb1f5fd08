package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/calendar"
	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/internal/schedule"
)

type intervalOptions struct {
	runtime  time.Duration
	margin   time.Duration
	tz       string
	from     string
	explain  bool
	version  string
	calendar cli.StringSlice // systemd OnCalendar= expressions
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
		Name:      "interval",
		Usage:     "recommend a Push monitor's heartbeat interval for a cron schedule",
		ArgsUsage: "SCHEDULE | --calendar EXPR...",
		Description: `Prints, in seconds, the Heartbeat Interval an Uptime Kuma Push monitor needs for a
job run on SCHEDULE (the 5 time fields of a crontab line, or @hourly, @daily,
@weekly, @monthly, @yearly): the largest gap between two runs + --runtime +
--margin. Uptime Kuma up to 2.4 refuses an interval over 2073600 s (24 days):
then the number printed is 2073600 and a line on stderr says which Retries
make up the rest, unless --kuma-version 2.5 (or later) says the server takes
any interval. The largest gap is found over the next 28 years (every weekday and
leap-year pairing), with daylight-saving changes of --tz counted as cron
handles them. Quote the schedule, or the shell expands its *.

A systemd timer's schedule is given with --calendar, once per OnCalendar=
line of the timer, in systemd's syntax (as systemd-analyze calendar reads
it); an expression without a time zone is in --tz (default: local).

Examples:
   opkuma interval '0 * * * *' --runtime 1m --margin 1m      # 3720
   opkuma interval --explain '0 9 * * 1-5'                   # the weekend gap
   opkuma interval --tz Europe/Paris '30 2 * * *'
   opkuma interval --calendar 'Mon..Fri 02:00' --runtime 10m`,
		Flags: append(intervalFlags(o),
			&cliflag.BoolFlag{Name: "explain", Usage: "say how the number was found", Destination: &o.explain},
			&cli.StringSliceFlag{Name: "calendar", Usage: "a systemd timer's OnCalendar= `EXPR` (give it once per OnCalendar= line) in place of SCHEDULE", Destination: &o.calendar}),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			switch {
			case len(o.calendar.Value()) > 0 && c.Args().Present():
				return usageErrorf("give a SCHEDULE or --calendar, not both")
			case len(o.calendar.Value()) > 0:
				return o.run(env, "", c.IsSet("margin"))
			case !c.Args().Present():
				return usageErrorf("no schedule: give one, e.g. opkuma interval '0 * * * *' (or --calendar 'Mon..Fri 02:00' for a systemd timer)")
			}
			return o.run(env, strings.Join(c.Args().Slice(), " "), c.IsSet("margin"))
		},
	}
}

// advice is a computed interval (schedule.Advice) and the zone of its
// schedule, for messages.
type advice struct {
	schedule.Advice
	loc *time.Location
}

// uncapped reports whether Uptime Kuma version v takes any interval: 2.5.0
// removed the 24-day cap (uptime-kuma#7607). "": not known, so no.
func uncapped(v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	var major, minor int
	if n, _ := fmt.Sscanf(strings.TrimPrefix(v, "v"), "%d.%d", &major, &minor); n < 1 {
		return false, usageErrorf("--kuma-version %q: want a version like 1.23.17 or 2.5", v)
	}
	return major > 2 || major == 2 && minor >= 5, nil
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

// start returns the day to look from: --from, else now.
func (o *intervalOptions) start(loc *time.Location) (time.Time, error) {
	if o.from == "" {
		return time.Now().In(loc), nil
	}
	t, err := time.ParseInLocation(time.DateOnly, o.from, loc)
	if err != nil {
		return time.Time{}, usageErrorf("--from %q: want a date like 2026-01-31", o.from)
	}
	return t, nil
}

// advise computes the interval for spec in loc.
func (o *intervalOptions) advise(spec string, loc *time.Location, marginSet bool) (advice, error) {
	if o.runtime < 0 || o.margin < 0 {
		return advice{}, usageErrorf("--runtime and --margin must not be negative")
	}
	from, err := o.start(loc)
	if err != nil {
		return advice{}, err
	}
	free, err := uncapped(o.version)
	if err != nil {
		return advice{}, err
	}
	margin := time.Duration(-1) // schedule.Margin of the gap
	if marginSet {
		margin = o.margin
	}
	a, err := schedule.Advise(spec, loc, from, o.runtime, margin, free)
	return advice{Advice: a, loc: loc}, err
}

// calendarHorizon is how far adviseCalendar looks: 28 years (every
// weekday and leap-year pairing), or a year, or a week, for a timer that
// elapses too often to walk that far (calendar.MaxElapses), as its first
// week tells.
func calendarHorizon(specs []*calendar.Spec, from time.Time) time.Duration {
	const week = 7 * 24 * time.Hour
	switch n := elapses(specs, from, week, calendar.MaxElapses/53); {
	case n <= calendar.MaxElapses/(53*schedule.DefaultHorizon):
		return time.Duration(schedule.DefaultHorizon) * 366 * 24 * time.Hour
	case n <= calendar.MaxElapses/53:
		return 366 * 24 * time.Hour
	}
	return week
}

// elapses counts the elapses of specs in the span after from, up to
// limit+1.
func elapses(specs []*calendar.Spec, from time.Time, span time.Duration, limit int) int {
	n, at := 0, from
	for n <= limit {
		next, ok := calendar.Earliest(specs, at)
		if !ok || next.Sub(from) > span {
			break
		}
		n, at = n+1, next
	}
	return n
}

// adviseCalendar computes the interval for a systemd timer's OnCalendar=
// expressions, their zone loc unless they name one.
func (o *intervalOptions) adviseCalendar(exprs []string, loc *time.Location, marginSet bool) (advice, error) {
	if o.runtime < 0 || o.margin < 0 {
		return advice{}, usageErrorf("--runtime and --margin must not be negative")
	}
	specs := make([]*calendar.Spec, 0, len(exprs))
	for _, e := range exprs {
		sp, err := calendar.Parse(e)
		if err != nil {
			return advice{}, fmt.Errorf("--calendar: %w", err)
		}
		specs = append(specs, sp)
	}
	from, err := o.start(loc)
	if err != nil {
		return advice{}, err
	}
	free, err := uncapped(o.version)
	if err != nil {
		return advice{}, err
	}
	gap, err := calendar.Gap(specs, from, calendarHorizon(specs, from))
	if err != nil {
		return advice{}, fmt.Errorf("--calendar: %w", err)
	}
	margin := time.Duration(-1)
	if marginSet {
		margin = o.margin
	}
	return advice{Advice: schedule.AdviseGap(gap, o.runtime, margin, free), loc: loc}, nil
}

func (o *intervalOptions) run(env Env, spec string, marginSet bool) error {
	loc, err := o.location()
	if err != nil {
		return err
	}
	var a advice
	if exprs := o.calendar.Value(); len(exprs) > 0 {
		spec = strings.Join(exprs, "; ")
		a, err = o.adviseCalendar(exprs, loc, marginSet)
	} else {
		a, err = o.advise(spec, loc, marginSet)
	}
	if err != nil {
		return usageErrorf("%v", err)
	}
	if o.explain {
		a.explain(env.Stdout, spec, marginSet)
	} else {
		fmt.Fprintln(env.Stdout, a.Value())
	}
	if w := a.warning(); w != "" {
		fmt.Fprintf(env.Stderr, "opkuma: %s\n", w)
	}
	return nil
}

func (a advice) explain(w io.Writer, spec string, marginSet bool) {
	const layout = "Mon 2006-01-02 15:04 MST"
	how := "10% of the gap, at least 60 s"
	if marginSet {
		how = "--margin"
	}
	zone := a.loc.String()
	if a.loc == time.Local {
		zone = "the local time zone"
	}
	fmt.Fprintf(w, "schedule:      %s (times in %s)\n", spec, zone)
	fmt.Fprintf(w, "largest gap:   %d s (%s), from %s to %s\n", seconds(a.Gap.Length), a.Gap.Length,
		a.Gap.From.In(a.loc).Format(layout), a.Gap.To.In(a.loc).Format(layout))
	fmt.Fprintf(w, "run time:    + %d s\n", seconds(a.Runtime))
	fmt.Fprintf(w, "margin:      + %d s (%s)\n", seconds(a.Margin), how)
	fmt.Fprintf(w, "interval:    = %d s: the monitor's Heartbeat Interval\n", a.Interval)
}

// warning tells when Uptime Kuma up to 2.4 cannot take the interval, and
// what to set instead.
func (a advice) warning() string {
	if a.Value() == a.Interval {
		return ""
	}
	return fmt.Sprintf("%d s is more than Uptime Kuma's largest Heartbeat Interval (%d s, 24 days): set the interval to %d and Retries to %d with a Heartbeat Retry Interval of %d (the monitor shows PENDING in between), or run the job more often (Uptime Kuma 2.5 and later take it: --kuma-version 2.5)",
		a.Interval, schedule.MaxInterval, schedule.MaxInterval, a.Retries(), schedule.MaxInterval)
}

func seconds(d time.Duration) int64 { return int64((d + time.Second - 1) / time.Second) }
