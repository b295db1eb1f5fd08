package schedule

import (
	"testing"
	"time"
)

// TestCapped: the cap's edges. Mutations caught: <= made <; the retries
// rounded down (a 3x interval given 1 retry).
func TestCapped(t *testing.T) {
	for _, tt := range []struct{ in, interval, retries int64 }{
		{60, 60, 0},
		{MaxInterval, MaxInterval, 0},
		{MaxInterval + 1, MaxInterval, 1},
		{2 * MaxInterval, MaxInterval, 1},
		{2*MaxInterval + 1, MaxInterval, 2},
	} {
		if i, r := Capped(tt.in); i != tt.interval || r != tt.retries {
			t.Errorf("Capped(%d) = %d, %d; want %d, %d", tt.in, i, r, tt.interval, tt.retries)
		}
	}
}

// TestAdvise: @monthly from 2026-01-01 in UTC (largest gap 31 days), with
// the default margin and with one given; uncapped on 2.5+. Mutations
// caught: the given margin ignored; Value not capped.
func TestAdvise(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, err := Advise("@monthly", time.UTC, from, 0, -1, false)
	if err != nil || a.Interval != 2946240 || a.Value() != MaxInterval || a.Retries() != 1 {
		t.Errorf("@monthly: %+v, %v; want 2946240, capped to %d + 1 retry", a, err, MaxInterval)
	}
	if a, _ := Advise("@monthly", time.UTC, from, 0, -1, true); a.Value() != 2946240 || a.Retries() != 0 {
		t.Errorf("@monthly uncapped: value %d, retries %d", a.Value(), a.Retries())
	}
	if a, _ := Advise("0 * * * *", time.UTC, from, time.Minute, time.Minute, false); a.Interval != 3720 {
		t.Errorf("hourly, 1m + 1m: %d, want 3720", a.Interval)
	}
	if _, err := Advise("@reboot", time.UTC, from, 0, -1, false); err != ErrReboot {
		t.Errorf("@reboot: %v, want ErrReboot", err)
	}
}

// TestAdvisor: the advice of a schedule looks from the Advisor's day in
// the schedule's own zone, and a second ask of the same schedule (in other
// case and spacing) is the first's answer.
//
// Catches: From used as an instant (a UTC midnight is the previous day in
// America/New_York: its Gap.From is a day early), and the cache key not
// normalized (the second ask computes again: its From moves when From
// does).
func TestAdvisor(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	ad := &Advisor{Margin: -1, From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}
	if got := ad.Start(ny); got.Day() != 2 || got.Hour() != 0 || got.Location() != ny {
		t.Errorf("Start(New York) = %v, want 2026-03-02 00:00 there", got)
	}
	a, err := ad.Advise("0 9 * * 1-5", ny)
	if err != nil {
		t.Fatal(err)
	}
	ad.From = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b, err := ad.Advise("0  9 * * 1-5", ny)
	if err != nil || b != a {
		t.Errorf("second ask = %+v, %v; want the first's %+v", b, err, a)
	}
}

// TestUncapped: Uptime Kuma 2.5.0 and later take any interval.
//
// Catches: minor ignored (2.0 taken as uncapped), a leading v refused.
func TestUncapped(t *testing.T) {
	for _, tc := range []struct {
		v       string
		want    bool
		wantErr bool
	}{
		{"", false, false}, {"1.23.17", false, false}, {"2.0.0-beta.2", false, false}, {"2.4", false, false},
		{"2.5", true, false}, {"v2.5.3", true, false}, {"3", true, false}, {"latest", false, true},
	} {
		got, err := Uncapped(tc.v)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("Uncapped(%q) = %v, %v; want %v, error %v", tc.v, got, err, tc.want, tc.wantErr)
		}
	}
}
