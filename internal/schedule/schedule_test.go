package schedule

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestGap(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		spec string
		tz   string
		want time.Duration
		from string // where the largest gap starts, in the schedule's zone; "" to skip
	}{
		{"* * * * *", "UTC", time.Minute, ""},
		{"0 * * * *", "UTC", time.Hour, ""},
		{"@hourly", "UTC", time.Hour, ""},
		{"*/15 * * * *", "UTC", 15 * time.Minute, ""},
		{"*/15 9-17 * * 1-5", "UTC", 63*time.Hour + 15*time.Minute, "Fri 2026-01-02 17:45"}, // -> Mon 09:00
		{"0 9 * * 1-5", "UTC", 72 * time.Hour, "Fri 2026-01-02 09:00"},
		{"0 0 31 * *", "UTC", 61 * 24 * time.Hour, "Tue 2026-03-31"},   // Mar 31 -> May 31
		{"0 0 29 2 *", "UTC", 1461 * 24 * time.Hour, "Tue 2028-02-29"}, // 2028 -> 2032
		{"0 0 1,15 * 1", "UTC", 7 * 24 * time.Hour, ""},                // either day matches: Mondays at most a week apart
		{"0 0 */2 * 1", "UTC", 0, ""},                                  // * first: both must match (checked below)
		{"@weekly", "UTC", 7 * 24 * time.Hour, ""},
		{"0 1,23 * * *", "UTC", 22 * time.Hour, " 01:00 "}, // the largest gap is within a day
		{"0 0 1 * *", "UTC", 31 * 24 * time.Hour, ""},
		{"30 4 * * sun", "UTC", 7 * 24 * time.Hour, ""},
		// Daylight saving in Paris: the autumn change makes one day 25 h long.
		{"0 2 * * *", "Europe/Paris", 25 * time.Hour, "Sun 2026-10-25 02:00 CEST"},
		{"0 12 * * *", "Europe/Paris", 25 * time.Hour, ""},
		{"0 * * * *", "Europe/Paris", time.Hour, ""},
		{"0 9 * * 1-5", "Europe/Paris", 73 * time.Hour, ""}, // a weekend holding the autumn change
		{"0 2 * * *", "America/New_York", 25 * time.Hour, ""},
	}
	for _, tt := range tests {
		t.Run(tt.spec+" "+tt.tz, func(t *testing.T) {
			s, err := Parse(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			loc := mustLoad(t, tt.tz)
			g, err := s.Gap(loc, from, DefaultHorizon)
			if err != nil {
				t.Fatal(err)
			}
			if g.From.Location() != loc || g.To.Location() != loc {
				t.Errorf("gap from %v to %v: want times in %v", g.From, g.To, loc)
			}
			if tt.spec == "0 0 */2 * 1" {
				// Mondays on odd days: gaps of 2 to 5 weeks, never one.
				if g.Length < 14*24*time.Hour {
					t.Errorf("gap %v: want AND semantics (weeks)", g.Length)
				}
				return
			}
			if g.Length != tt.want {
				t.Errorf("gap %v, want %v (from %v to %v)", g.Length, tt.want, g.From.In(loc), g.To.In(loc))
			}
			if tt.from != "" && !strings.Contains(g.From.In(loc).Format("Mon 2006-01-02 15:04 MST"), tt.from) {
				t.Errorf("gap starts %v, want %s", g.From.In(loc).Format("Mon 2006-01-02 15:04 MST"), tt.from)
			}
		})
	}
}

// TestRunsAcrossDST pins cron's handling of the two daylight-saving changes
// in Paris in 2026 (Mar 29 02:00 -> 03:00; Oct 25 03:00 -> 02:00).
func TestRunsAcrossDST(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	tests := []struct {
		spec string
		day  time.Time
		want []string
	}{
		{"30 2 * * *", time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), []string{"03:00 CEST"}},               // skipped: runs right after
		{"30 2 * * *", time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC), []string{"02:30 CEST"}},              // repeated: runs once
		{"30 * * * *", time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC), nil},                                 // checked by count
		{"*/30 2 * * *", time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), nil},                                // wildcard minute: not run
		{"0 1-3 * * *", time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), []string{"01:00 CET", "03:00 CEST"}}, // 02:00 runs at 03:00 with the 03:00 one
	}
	for _, tt := range tests {
		s, err := Parse(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range s.runs(tt.day, paris) {
			got = append(got, r.In(paris).Format("15:04 MST"))
		}
		if tt.spec == "30 * * * *" {
			if len(got) != 25 {
				t.Errorf("%s on the autumn change: %d runs, want 25 (wildcard hour runs twice in the repeated hour)", tt.spec, len(got))
			}
			continue
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s on %s: runs %v, want %v", tt.spec, tt.day.Format("Jan 2"), got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"@reboot", "runs once at boot"},
		{"@fortnightly", "unknown macro"},
		{"* * * *", "has 4 fields"},
		{"0 0 * * * *", "has 6 fields"},
		{"60 * * * *", "out of bounds"},
		{"0 24 * * *", "out of bounds"},
		{"0 0 0 * *", "out of bounds"},
		{"0 0 L * *", `"L" is Quartz syntax (last day, nearest weekday), which cron does not have`},
		{"0 0 * * 5L", `"L" is Quartz syntax`},
		{"0 0 XY * *", `"XY" is not a month or day name`},
		{"0 0 ? * 1", "numbers, names"},
		{"0 0 * * 1#2", "numbers, names"},
		{"0 0 31 2 *", "fires at most once"},
		// Names only in their own field, as cronie reads them.
		{"0 0 * * jan", `day of week field "jan": "jan" is a month name: only the month field`},
		{"0 0 * mon *", `month field "mon": "mon" is a day name: only the day of week field`},
		{"0 0 sun * *", `day of month field "sun": "sun" is a day name`},
		{"0 Jan * * *", `hour field "Jan": "Jan" is a month name`},
		{"5-1 * * * *", "range 5-1 goes backwards"},
		{"*/0 * * * *", `step "0": want a whole number of 1 or more`},
		{"*/5/2 * * * *", `step "5/2"`},
		{"1-2-3 * * * *", `"2-3" is not a number`},
		{"1- * * * *", "a number is missing"},
		{"0 0 * * 8", "8 is out of bounds: the day of week field takes 0-7"},
		{"0 0 32 * *", "32 is out of bounds: the day of month field takes 1-31"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.spec)
		if err == nil {
			_, err = s.Gap(time.UTC, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), DefaultHorizon)
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one containing %q", tt.spec, err, tt.want)
		}
	}
	for _, ok := range []string{"0 0 * jan-mar mon-fri", "0 0 * JAN,Dec Sun", "0 0 1 * 7", "@Daily"} {
		if _, err := Parse(ok); err != nil {
			t.Errorf("%q: %v, want no error", ok, err)
		}
	}
	if _, err := Parse("@reboot"); !errors.Is(err, ErrReboot) {
		t.Errorf("@reboot: %v, want ErrReboot", err)
	}
}

// TestParseFields checks what each field matches, as cronie reads it.
func TestParseFields(t *testing.T) {
	tests := []struct {
		spec    string
		minutes int    // runs a day
		first   string // first run of the day, HH:MM
		days    string // days of 2026-01-05 (Mon) .. 2026-01-11 (Sun) it runs on, 1 for yes
	}{
		{"* * * * *", 1440, "00:00", "1111111"},
		{"*/15 9-17 * * *", 36, "09:00", "1111111"},
		{"5/20 * * * *", 72, "00:05", "1111111"}, // N/STEP is N-59/STEP
		{"1-10/3,30 2 * * *", 5, "02:01", "1111111"},
		{"0 0 * * 1-5", 1, "00:00", "1111100"},
		{"0 0 * * MON-fri", 1, "00:00", "1111100"},
		{"0 0 * * 0", 1, "00:00", "0000001"},
		{"0 0 * * 7", 1, "00:00", "0000001"}, // 7 is Sunday too
		{"0 0 * * 5-7", 1, "00:00", "0000111"},
		{"0 0 6,8 * *", 1, "00:00", "0101000"},
		{"0 0 6 * 1", 1, "00:00", "1100000"},     // both restricted: either
		{"0 0 */2 * 1", 1, "00:00", "1000000"},   // * first: both, an odd day that is a Monday
		{"0 0 6 * *,1", 1, "00:00", "0100000"},   // a list starting with * counts as *: day of month alone
		{"0 0 * jan sun", 1, "00:00", "0000001"}, // January only
		{"0 0 * feb *", 1, "00:00", "0000000"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.spec)
		if err != nil {
			t.Errorf("%q: %v", tt.spec, err)
			continue
		}
		first := fmt.Sprintf("%02d:%02d", s.minutes[0]/60, s.minutes[0]%60)
		days := ""
		for d := 5; d <= 11; d++ {
			if s.matchesDay(time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC)) {
				days += "1"
			} else {
				days += "0"
			}
		}
		if len(s.minutes) != tt.minutes || first != tt.first || days != tt.days {
			t.Errorf("%q: %d runs a day from %s, days %s; want %d from %s, days %s", tt.spec, len(s.minutes), first, days, tt.minutes, tt.first, tt.days)
		}
	}
}

func TestInterval(t *testing.T) {
	tests := []struct {
		gap, runtime, margin time.Duration
		want                 int64
	}{
		{time.Hour, time.Minute, time.Minute, 3720}, // the seed document's example
		{time.Minute, 0, Margin(time.Minute), 120},
		{72 * time.Hour, 0, Margin(72 * time.Hour), 285120},
		{time.Hour, 500 * time.Millisecond, 0, 3601}, // rounded up
	}
	for _, tt := range tests {
		if got := Interval(tt.gap, tt.runtime, tt.margin); got != tt.want {
			t.Errorf("Interval(%v, %v, %v) = %d, want %d", tt.gap, tt.runtime, tt.margin, got, tt.want)
		}
	}
	if Margin(time.Hour) != 6*time.Minute || Margin(5*time.Minute) != time.Minute {
		t.Error("Margin: want 10%, at least a minute")
	}
}

func BenchmarkGapEveryMinute(b *testing.B) {
	s, _ := Parse("* * * * *")
	paris := mustLoad(b, "Europe/Paris")
	for b.Loop() {
		s.Gap(paris, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), DefaultHorizon)
	}
}

func TestDaysIn(t *testing.T) {
	for _, y := range []int{1999, 2000, 2024, 2026, 2100} {
		for m := time.January; m <= time.December; m++ {
			want := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
			if got := daysIn(y, m); got != want {
				t.Errorf("daysIn(%d, %v) = %d, want %d", y, m, got, want)
			}
		}
	}
}
