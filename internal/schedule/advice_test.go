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
