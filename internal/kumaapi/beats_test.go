package kumaapi

import (
	"testing"
	"time"
)

// Catches: a heartbeat time read in the local zone rather than UTC (a
// run missed or covered by hours' error off UTC machines), rows without
// milliseconds refused.
func TestBeatTime(t *testing.T) {
	want := time.Date(2026, 12, 6, 7, 18, 0, 123e6, time.UTC)
	for _, in := range []string{"2026-12-06 07:18:00.123", "2026-12-06T07:18:00.123Z", "2026-12-06T08:18:00.123+01:00"} {
		if got, err := beatTime(in); err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("beatTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, err := beatTime("2026-12-06 07:18:00"); err != nil || !got.Equal(want.Truncate(time.Second)) {
		t.Errorf("without milliseconds: %v, %v", got, err)
	}
	if _, err := beatTime("yesterday"); err == nil {
		t.Errorf("nonsense read as a time")
	}
}
