package realkuma

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestStatsRaceRecordedOnce: opkuma processes pushing to one monitor,
// started together at the first second of a minute, are all recorded
// exactly once. On Uptime Kuma 2.0-2.5.x the first two race on the
// minute's stat_minutely row and the monitor answers every push with the
// unique-key failure until the minute ends (uptime-kuma#5357): opkuma must
// wait for the next minute and push once more, spread over it so that the
// first two of that minute do not race again (pusher's statsOffset; a
// uniform 5 s spread failed one CI run in a few). 50 processes by default;
// OPKUMA_REAL_KUMA_RACERS=20,50 measures other counts. It needs the
// machine to itself: under a parallel build on 2 cores, 1 run in 9 lost
// the next minute too.
func TestStatsRaceRecordedOnce(t *testing.T) {
	counts := []int{50}
	if v := os.Getenv("OPKUMA_REAL_KUMA_RACERS"); v != "" {
		counts = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("OPKUMA_REAL_KUMA_RACERS: %v", err)
			}
			counts = append(counts, n)
		}
	}
	EachVersion(t, func(t *testing.T, in *Install) {
		for _, n := range counts {
			t.Run(strconv.Itoa(n), func(t *testing.T) { raceOnce(t, in, n) })
		}
	})
}

func raceOnce(t *testing.T, in *Install, n int) {
	s := Start(t, in)
	m, err := s.AddMonitor(map[string]any{"name": "race"})
	if err != nil {
		t.Fatal(err)
	}
	// The race at a new hour or day sticks the monitor for that long: the
	// seed push makes this hour's and day's rows, and the racers start in
	// a minute of the same hour.
	if now := time.Now().UTC(); now.Minute() == 59 {
		time.Sleep(time.Until(now.Truncate(time.Hour).Add(time.Hour + time.Second))) // waiting for the wall clock's hour
	}
	resp, err := http.Get(s.PushURL(m.PushToken) + "?status=up&msg=seed")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("seed push: %v %v", resp, err)
	}
	resp.Body.Close()
	p := NewProxy(t, s.URL)
	start := time.Now().Truncate(time.Minute).Add(time.Minute)
	time.Sleep(time.Until(start)) // waiting for the wall clock's minute

	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = opkuma(t, nil, "run", "--url", p.PushURL(m.PushToken), "--msg", fmt.Sprintf("racer %d", i), "--", "true")
		}()
	}
	wg.Wait()
	took := time.Since(start)

	byMsg := map[string]int{}
	for _, hb := range s.MustHeartbeats(t, m.ID) {
		byMsg[hb.Msg]++
	}
	recorded, twice := 0, 0
	for i, r := range results {
		c := byMsg[fmt.Sprintf("racer %d", i)]
		if c > 0 {
			recorded++
		}
		if c > 1 {
			twice++
		}
		noToken(t, "opkuma's output", r.stdout+r.stderr, m.PushToken)
		if r.code != 0 || c != 1 {
			t.Errorf("racer %d: exit %d, recorded %d times; want exit 0, once; stderr %q", i, r.code, c, pushPath.ReplaceAllString(r.stderr, "/api/push/<token>"))
		}
	}
	ex := p.Exchanges()
	stuck := 0
	for _, e := range ex {
		if strings.Contains(e.Body, "UNIQUE constraint failed: stat_") {
			stuck++
		}
	}
	t.Logf("Uptime Kuma %s, %d pushes at %s: recorded %d, lost %d, recorded twice %d; %d requests, %d stuck-statistics answers; all done in %v",
		in.Version, n, start.UTC().Format("15:04:05"), recorded, n-recorded, twice, len(ex), stuck, took.Round(time.Second))
	if took > 150*time.Second {
		t.Errorf("took %v, want at most 150 s", took)
	}
}
