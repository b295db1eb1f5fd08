package systemd

import (
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opkuma/opkuma/internal/calendar"
	"github.com/opkuma/opkuma/internal/watch"
)

var spanTests = []struct {
	in   string
	want time.Duration
	bad  bool
}{
	{in: "1h 30min", want: 90 * time.Minute},
	{in: "1h30min", want: 90 * time.Minute},
	{in: "5m", want: 5 * time.Minute},
	{in: "2d", want: 48 * time.Hour},
	{in: "10", want: 10 * time.Second},
	{in: "1.5h", want: 90 * time.Minute},
	{in: "3us", want: 3 * time.Microsecond},
	{in: "20ms", want: 20 * time.Millisecond},
	{in: "2 min", want: 2 * time.Minute},
	{in: "1min30s", want: 90 * time.Second},
	{in: "1w", want: 7 * 24 * time.Hour},
	{in: "1M", want: 2629800 * time.Second},
	{in: "1y", want: 31557600 * time.Second},
	{in: "6000", want: 6000 * time.Second},
	{in: "0", want: 0},
	{in: "infinity", want: Infinity},
	{in: "5mins", bad: true},
	{in: "", bad: true},
	{in: "h", bad: true},
	{in: "-5s", bad: true},
	{in: "5 x", bad: true},
}

// TestParseSpan catches systemd.time(7) spans read wrong: e.g. "m" put
// before "min" and "ms" in spanUnits ("5ms" would be 5 minutes and "5min"
// refused), or the fraction dropped.
func TestParseSpan(t *testing.T) {
	for _, tt := range spanTests {
		got, err := ParseSpan(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v, bad %v", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

// TestParseSpanAgainstSystemd reads the same spans with systemd-analyze
// timespan: it catches a span this package and systemd read differently.
func TestParseSpanAgainstSystemd(t *testing.T) {
	sa := systemdAnalyze(t)
	extra := []string{"1.", ".5s", "1 h 2 m", "2h30", "1sec", "1second", "1.25min", "7 weeks", "1hr", "1msec"}
	ins := extra
	for _, tt := range spanTests {
		ins = append(ins, tt.in)
	}
	for _, in := range ins {
		out, err := exec.Command(sa, "timespan", in).CombinedOutput()
		got, perr := ParseSpan(in)
		if err != nil {
			if perr == nil {
				t.Errorf("%q: systemd refuses (%s), ParseSpan gives %v", in, strings.TrimSpace(string(out)), got)
			}
			continue
		}
		_, us, ok := strings.Cut(string(out), "μs: ")
		if !ok {
			t.Fatalf("unexpected output: %s", out)
		}
		n, _ := strconv.ParseUint(strings.Fields(us)[0], 10, 64)
		want := time.Duration(n) * time.Microsecond
		if n == 1<<64-1 {
			want = Infinity
		}
		if perr != nil || got != want {
			t.Errorf("%q: ParseSpan = %v, %v; systemd: %v", in, got, perr, want)
		}
	}
}

// TestGap catches the widening of a timer's gap going wrong: e.g. the
// `delay += tm.RandomizedDelay` line removed (apt-daily would get 12h1m),
// or FixedRandomDelay= ignored (pg_dump@ would get 1h more), or a
// boot-only timer given a gap.
func TestGap(t *testing.T) {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const day = 24 * time.Hour
	tests := []struct {
		timer string
		want  time.Duration
		err   error
	}{
		{"apt-daily.timer", 12*time.Hour + 12*time.Hour + time.Minute, nil},
		{"e2scrub_all.timer", 7*day + 60*time.Second + time.Minute, nil},
		{"pg_dump@15-main.timer", 7*day + time.Minute, nil},
		{"systemd-tmpfiles-clean.timer", day + time.Minute, nil},
		{"backup.timer", day + 10*time.Minute + time.Second, nil},
		{"nojob.timer", 90*time.Minute + time.Minute, nil},
		{"boot.timer", 0, ErrOnce},
	}
	for _, tt := range tests {
		t.Run(tt.timer, func(t *testing.T) {
			tm, err := Tree{Root: fakeRoot}.Timer(tt.timer)
			if err != nil {
				t.Fatal(err)
			}
			g, err := tm.Gap(from, 2*366*day)
			if !errors.Is(err, tt.err) || g.Length != tt.want {
				t.Errorf("Gap = %v, %v; want %v, %v", g.Length, err, tt.want, tt.err)
			}
		})
	}
	if _, err := (&Timer{Accuracy: DefaultAccuracy}).Gap(from, day); !errors.Is(err, ErrNoTrigger) {
		t.Errorf("no trigger: err = %v", err)
	}
}

// TestTimerSettings catches settings read wrong: e.g. the default
// AccuracySec= not set, Persistent= from the type-wide drop-in missed, or
// an invalid OnCalendar= not kept in Invalid.
func TestTimerSettings(t *testing.T) {
	tr := Tree{Root: fakeRoot}
	b, _ := tr.Timer("boot")
	if len(b.Invalid) != 1 || b.Invalid[0].Key != "OnCalendar" || len(b.OnBoot) != 1 || b.OnBoot[0] != 15*time.Minute {
		t.Errorf("boot.timer: Invalid %v OnBoot %v", b.Invalid, b.OnBoot)
	}
	a, _ := tr.Timer("apt-daily.timer")
	if a.Accuracy != time.Minute || !a.Persistent || a.RandomizedDelay != 12*time.Hour {
		t.Errorf("apt-daily.timer: %+v", a)
	}
	u, _ := Tree{Root: fakeRoot, User: true, Home: "/home/ann"}.Timer("sync")
	if u.Accuracy != time.Microsecond || u.Persistent {
		t.Errorf("sync.timer: accuracy %v persistent %v", u.Accuracy, u.Persistent)
	}
}

// TestTimerWatchSpec: the schedule line of a timer's monitor is its
// OnCalendar= lines as systemd normalizes them, the margin widened by
// AccuracySec= and RandomizedDelaySec=; none for a monotonic timer.
// Catches: the accuracy not added (an elapse a minute late reported
// missed), a monotonic timer given an empty calendar.
func TestTimerWatchSpec(t *testing.T) {
	daily, err := calendar.Parse("daily")
	if err != nil {
		t.Fatal(err)
	}
	tm := &Timer{Calendar: []*calendar.Spec{daily}, Accuracy: time.Minute, RandomizedDelay: 30 * time.Minute}
	got := tm.WatchSpec("UTC", 5*time.Minute, -1)
	want := watch.Spec{Calendar: "*-*-* 00:00:00", TZ: "UTC", Runtime: 5 * time.Minute, Margin: watch.DefaultMargin + 31*time.Minute}
	if got == nil || *got != want {
		t.Errorf("WatchSpec = %+v, want %+v", got, want)
	}
	if _, _, err := got.Compile(); err != nil {
		t.Errorf("its line does not compile: %v", err)
	}
	if got := (&Timer{OnUnitActive: []time.Duration{time.Hour}}).WatchSpec("UTC", 0, -1); got != nil {
		t.Errorf("monotonic timer: %+v, want none", got)
	}
}
