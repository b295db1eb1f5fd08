package kube

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones of robfig's tables, wherever the tests run

	"github.com/opkuma/opkuma/internal/schedule"
)

// robfigTime reads the times of robfig/cron's spec_test.go: its layouts,
// in loc when they carry no offset.
func robfigTime(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{"Mon Jan 2 15:04 2006", "Mon Jan 2 15:04:05 2006", "2006-01-02T15:04:05-0700"} {
		if v, err := time.ParseInLocation(layout, s, loc); err == nil {
			return v
		}
	}
	t.Fatalf("bad time %q", s)
	return time.Time{}
}

// TestNextAsRobfig checks next against robfig/cron v3.0.1 spec_test.go
// TestNext (its 6-field specs with the seconds field 0 dropped, TZ=
// moved to the zone; rows with other seconds left out): the runs the
// CronJob controller computes. Catches: `return dom || dow` changed to
// `return dom && dow` in dayMatches (Feb Mon/2), and dropping the
// midnight-DST hour fix in next (Sao Paulo rows).
func TestNextAsRobfig(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	tests := []struct {
		loc        *time.Location
		from, spec string
		want       string
	}{
		{time.UTC, "Mon Jul 9 14:45 2012", "0/15 * * * *", "Mon Jul 9 15:00 2012"},
		{time.UTC, "Mon Jul 9 14:59 2012", "0/15 * * * *", "Mon Jul 9 15:00 2012"},
		{time.UTC, "Mon Jul 9 14:59:59 2012", "0/15 * * * *", "Mon Jul 9 15:00 2012"},
		{time.UTC, "Mon Jul 9 15:45 2012", "20-35/15 * * * *", "Mon Jul 9 16:20 2012"},
		{time.UTC, "Mon Jul 9 23:46 2012", "*/15 * * * *", "Tue Jul 10 00:00 2012"},
		{time.UTC, "Mon Jul 9 23:45 2012", "20-35/15 * * * *", "Tue Jul 10 00:20 2012"},
		{time.UTC, "Mon Jul 9 23:35 2012", "0 0 9 Apr-Oct ?", "Thu Aug 9 00:00 2012"},
		{time.UTC, "Mon Jul 9 23:35 2012", "0 0 */5 Apr,Aug,Oct Mon", "Tue Aug 1 00:00 2012"},
		{time.UTC, "Mon Jul 9 23:35 2012", "0 0 */5 Oct Mon", "Mon Oct 1 00:00 2012"},
		{time.UTC, "Mon Jul 9 23:35 2012", "0 0 * Feb Mon", "Mon Feb 4 00:00 2013"},
		{time.UTC, "Mon Jul 9 23:35 2012", "0 0 * Feb Mon/2", "Fri Feb 1 00:00 2013"},
		{time.UTC, "Mon Dec 31 23:59:45 2012", "* * * * *", "Tue Jan 1 00:00:00 2013"},
		{time.UTC, "Mon Jul 9 23:35 2012", "0 0 29 Feb ?", "Mon Feb 29 00:00 2016"},
		// Spring forward in New York: 02:00-03:00 does not exist.
		{ny, "2012-03-11T00:00:00-0500", "30 2 11 Mar ?", "2013-03-11T02:30:00-0400"},
		{ny, "2012-03-11T00:00:00-0500", "0 * * * ?", "2012-03-11T01:00:00-0500"},
		{ny, "2012-03-11T01:00:00-0500", "0 * * * ?", "2012-03-11T03:00:00-0400"},
		{ny, "2012-03-11T03:00:00-0400", "0 * * * ?", "2012-03-11T04:00:00-0400"},
		{ny, "2012-03-11T00:00:00-0500", "0 1 * * ?", "2012-03-11T01:00:00-0500"},
		{ny, "2012-03-11T01:00:00-0500", "0 1 * * ?", "2012-03-12T01:00:00-0400"},
		{ny, "2012-03-11T00:00:00-0500", "0 2 * * ?", "2012-03-12T02:00:00-0400"},
		// Fall back: 01:00-02:00 happens twice.
		{ny, "2012-11-04T00:00:00-0400", "30 2 04 Nov ?", "2012-11-04T02:30:00-0500"},
		{ny, "2012-11-04T01:45:00-0400", "30 1 04 Nov ?", "2012-11-04T01:30:00-0500"},
		{ny, "2012-11-04T00:00:00-0400", "0 * * * ?", "2012-11-04T01:00:00-0400"},
		{ny, "2012-11-04T01:00:00-0400", "0 * * * ?", "2012-11-04T01:00:00-0500"},
		{ny, "2012-11-04T01:00:00-0500", "0 * * * ?", "2012-11-04T02:00:00-0500"},
		{ny, "2012-11-04T00:00:00-0400", "0 1 * * ?", "2012-11-04T01:00:00-0400"},
		{ny, "2012-11-04T01:00:00-0400", "0 1 * * ?", "2012-11-04T01:00:00-0500"},
		{ny, "2012-11-04T01:00:00-0500", "0 1 * * ?", "2012-11-05T01:00:00-0500"},
		{ny, "2012-11-04T00:00:00-0400", "0 2 * * ?", "2012-11-04T02:00:00-0500"},
		{ny, "2012-11-04T02:00:00-0500", "0 2 * * ?", "2012-11-05T02:00:00-0500"},
		{ny, "2012-11-04T00:00:00-0400", "0 3 * * ?", "2012-11-04T03:00:00-0500"},
		{ny, "2012-11-04T03:00:00-0500", "0 3 * * ?", "2012-11-05T03:00:00-0500"},
		// Unsatisfiable: no run (Kubernetes validation accepts them).
		{time.UTC, "Mon Jul 9 23:35 2012", "0 0 30 Feb ?", ""},
		{time.UTC, "Mon Jul 9 23:35 2012", "0 0 31 Apr ?", ""},
		{ny, "2012-11-04T00:00:00-0400", "0 3 3 * ?", "2012-12-03T03:00:00-0500"},
		// robfig/cron#157: midnight does not exist in Sao Paulo.
		{sp, "2018-10-17T05:00:00-0400", "0 9 10 * ?", "2018-11-10T06:00:00-0500"},
		{sp, "2018-02-14T05:00:00-0500", "0 9 22 * ?", "2018-02-22T07:00:00-0500"},
	}
	for _, tt := range tests {
		c, err := parseCron(tt.spec)
		if err != nil {
			t.Errorf("parseCron(%q): %v", tt.spec, err)
			continue
		}
		got := c.next(tt.loc, robfigTime(t, tt.loc, tt.from))
		if want := robfigTime(t, tt.loc, tt.want); !got.Equal(want) {
			t.Errorf("%q from %s: next = %v, want %v", tt.spec, tt.from, got, want)
		}
	}
}

// TestActivationAsRobfig checks which minutes match, from robfig/cron
// v3.0.1 spec_test.go TestActivation: the day-of-month/day-of-week rule,
// where Kubernetes differs from cronie ("*/10" restricts). Catches:
// dropping `if step > 1 { extra = 0 }` in getRange ("* * */10 * Sun").
func TestActivationAsRobfig(t *testing.T) {
	tests := []struct {
		time, spec string
		want       bool
	}{
		{"Mon Jul 9 15:00 2012", "0/15 * * * *", true},
		{"Mon Jul 9 15:45 2012", "0/15 * * * *", true},
		{"Mon Jul 9 15:40 2012", "0/15 * * * *", false},
		{"Mon Jul 9 15:05 2012", "5/15 * * * *", true},
		{"Mon Jul 9 15:20 2012", "5/15 * * * *", true},
		{"Mon Jul 9 15:50 2012", "5/15 * * * *", true},
		{"Sun Jul 15 15:00 2012", "0/15 * * Jul *", true},
		{"Sun Jul 15 15:00 2012", "0/15 * * Jun *", false},
		{"Sun Jul 15 08:30 2012", "30 08 ? Jul Sun", true},
		{"Sun Jul 15 08:30 2012", "30 08 15 Jul ?", true},
		{"Mon Jul 16 08:30 2012", "30 08 ? Jul Sun", false},
		{"Mon Jul 16 08:30 2012", "30 08 15 Jul ?", false},
		{"Mon Jul 9 15:00 2012", "@hourly", true},
		{"Mon Jul 9 15:04 2012", "@hourly", false},
		{"Mon Jul 9 15:00 2012", "@daily", false},
		{"Mon Jul 9 00:00 2012", "@daily", true},
		{"Mon Jul 9 00:00 2012", "@weekly", false},
		{"Sun Jul 8 00:00 2012", "@weekly", true},
		{"Sun Jul 8 01:00 2012", "@weekly", false},
		{"Sun Jul 8 00:00 2012", "@monthly", false},
		{"Sun Jul 1 00:00 2012", "@monthly", true},
		{"Sun Jul 15 00:00 2012", "* * 1,15 * Sun", true},
		{"Fri Jun 15 00:00 2012", "* * 1,15 * Sun", true},
		{"Wed Aug 1 00:00 2012", "* * 1,15 * Sun", true},
		{"Sun Jul 15 00:00 2012", "* * */10 * Sun", true}, // cronie: false
		{"Sun Jul 15 00:00 2012", "* * * * Mon", false},
		{"Mon Jul 9 00:00 2012", "* * 1,15 * *", false},
		{"Sun Jul 15 00:00 2012", "* * 1,15 * *", true},
		{"Sun Jul 15 00:00 2012", "* * */2 * Sun", true},
	}
	for _, tt := range tests {
		c, err := parseCron(tt.spec)
		if err != nil {
			t.Errorf("parseCron(%q): %v", tt.spec, err)
			continue
		}
		at := robfigTime(t, time.UTC, tt.time)
		if got := c.next(time.UTC, at.Add(-time.Second)).Equal(at); got != tt.want {
			t.Errorf("%q at %s: runs = %v, want %v", tt.spec, tt.time, got, tt.want)
		}
	}
}

// TestScheduleValidation checks which schedules Kubernetes takes
// (ParseStandard plus its TZ rule). Catches: dow bounds {0, 7} instead
// of {0, 6} ("0 0 * * 7"), and dropping the "TZ" check in cron() (then
// the error no longer says to use spec.timeZone).
func TestScheduleValidation(t *testing.T) {
	tests := []struct {
		spec string
		ok   bool
	}{
		{"0 3 * * *", true},
		{"*/15 * * * ?", true},
		{"0 0 * * mon-fri", true},
		{"0 0 1,,15 * *", true}, // empty list items dropped
		{"+5 0 * * *", true},    // strconv.Atoi
		{"@every 1h30m", true},
		{"@annually", true},
		{"@midnight", true},
		{"0 0 * * 7", false}, // cronie: Sunday
		{"@reboot", false},
		{"@Daily", false},  // descriptors are case-sensitive
		{"@daily ", false}, // and exact
		{"TZ=UTC 0 0 * * *", false},
		{"CRON_TZ=Europe/Berlin 0 0 * * *", false},
		{"0 0 L * *", false},
		{"0 0 * * 1#2", false},
		{"0 0 * *", false},
		{"0 0 0 * * *", false}, // no seconds field
		{"", false},
		{"5-1 * * * *", false},
		{"*/0 * * * *", false},
		{"1-2-3 * * * *", false},
		{"1/2/3 * * * *", false},
		{"60 * * * *", false},
		{"@every 1x", false},
	}
	for _, tt := range tests {
		c := CronJob{Name: "a", Namespace: "default", Schedule: tt.spec}
		_, err := c.cron()
		if (err == nil) != tt.ok {
			t.Errorf("%q: err = %v, want ok %v", tt.spec, err, tt.ok)
		}
		var se *ScheduleError
		if err != nil && !errors.As(err, &se) {
			t.Errorf("%q: err is %T, want *ScheduleError", tt.spec, err)
		}
		if strings.Contains(tt.spec, "TZ") && (err == nil || !strings.Contains(err.Error(), "spec.timeZone")) {
			t.Errorf("%q: err = %v, want it to point to spec.timeZone", tt.spec, err)
		}
	}
}

// TestGap checks the largest gap as the controller schedules Jobs.
// Catches: skipping the spring-forward correction in cron.gap (New York
// 02:30 is 47h, cronie says 24h), writing the hour field as a list
// instead of * when full (hourly New York is 1h, cronie's fixed-time
// rule says 2h), and `g.Length += late` dropped in Gap.
func TestGap(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	i64 := func(v int64) *int64 { return &v }
	tz := func(s string) *string { return &s }
	tests := []struct {
		name string
		job  CronJob
		want time.Duration
	}{
		{"daily", CronJob{Schedule: "0 3 * * *"}, 24 * time.Hour},
		{"every", CronJob{Schedule: "@every 1h30m"}, 90 * time.Minute},
		{"every-rounded", CronJob{Schedule: "@every 1500ms"}, time.Second},
		{"robfig-or", CronJob{Schedule: "0 0 */10 * 0"}, 7 * 24 * time.Hour},
		{"spring-skip", CronJob{Schedule: "30 2 * * *", TimeZone: tz("America/New_York")}, 47 * time.Hour},
		{"hourly-by-clock", CronJob{Schedule: "0 * * * *", TimeZone: tz("America/New_York")}, time.Hour},
		{"controller-zone", CronJob{Schedule: "30 2 * * *"}, 47 * time.Hour},
		{"starting-deadline", CronJob{Schedule: "0 3 * * *", StartingDeadlineSeconds: i64(300)}, 24*time.Hour + 5*time.Minute},
	}
	for _, tt := range tests {
		loc := time.UTC
		if tt.name == "controller-zone" {
			loc = ny
		}
		g, err := tt.job.Gap(loc, from)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if g.Length != tt.want || g.To.Sub(g.From) != g.Length {
			t.Errorf("%s: gap %v (%v to %v), want %v", tt.name, g.Length, g.From, g.To, tt.want)
		}
	}
}

// TestGapErrors checks that Gap refuses what has no interval. Catches:
// removing the Suspend check in Gap, and the EqualFold(tz, "Local")
// check dropped in Location.
func TestGapErrors(t *testing.T) {
	tz := func(s string) *string { return &s }
	tests := []struct {
		name string
		job  CronJob
		want any
	}{
		{"suspended", CronJob{Schedule: "0 3 * * *", Suspend: true}, ErrSuspended},
		{"never", CronJob{Schedule: "0 0 30 2 *"}, new(*ScheduleError)},
		{"empty-field", CronJob{Schedule: "0 , * * *"}, new(*ScheduleError)},
		{"reboot", CronJob{Schedule: "@reboot"}, new(*ScheduleError)},
		{"tz-empty", CronJob{Schedule: "0 3 * * *", TimeZone: tz("")}, new(*TimeZoneError)},
		{"tz-local", CronJob{Schedule: "0 3 * * *", TimeZone: tz("Local")}, new(*TimeZoneError)},
		{"tz-unknown", CronJob{Schedule: "0 3 * * *", TimeZone: tz("Mars/Olympus")}, new(*TimeZoneError)},
		{"tz-posix", CronJob{Schedule: "0 3 * * *", TimeZone: tz("EST5EDT,M3.2.0,M11.1.0")}, new(*TimeZoneError)},
	}
	for _, tt := range tests {
		_, err := tt.job.Advise(nil, time.Now(), time.Minute, -1, false)
		switch want := tt.want.(type) {
		case error:
			if !errors.Is(err, want) {
				t.Errorf("%s: err = %v, want %v", tt.name, err, want)
			}
		default:
			if err == nil || !errors.As(err, want) {
				t.Errorf("%s: err = %v (%T), want %T", tt.name, err, err, want)
			}
		}
	}
}

// TestVixieAgrees checks that the crontab spec handed to internal/schedule
// runs when robfig runs, away from clock changes. Catches: writing a
// restricted day field as * (`star || full`) in vixie.
func TestVixieAgrees(t *testing.T) {
	for _, spec := range []string{"0 0 */10 * 0", "0 0 1-31 * 1", "0 0 * * *", "0 0 ? * 1-5", "5,35 */3 1,15 jan-jun sun", "@weekly", "@yearly", "0 12 * * 0-6"} {
		c, err := parseCron(spec)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := c.vixie()
		s, err := schedule.Parse(v)
		if err != nil {
			t.Fatalf("%q -> %q: %v", spec, v, err)
		}
		at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		for range 200 {
			want := c.next(time.UTC, at)
			got, _ := s.Next(time.UTC, at)
			if !got.Equal(want) {
				t.Errorf("%q -> %q after %v: schedule %v, robfig %v", spec, v, at, got, want)
				break
			}
			at = want
		}
	}
}

// fuzzSchedules are seeds for FuzzReadCronJobs' schedules.
var fuzzSchedules = strings.Split("0 3 * * *|*/15 * * * ?|@every 1h|@weekly|0 0 */10 * 0|0 , * * *|1-2-3 * * * *", "|")
