package pusher

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	sqliteMinutely = "insert into `stat_minutely` (`down`, `monitor_id`, `ping`, `ping_max`, `ping_min`, `timestamp`, `up`) values (0, 1, 12, 12, 12, 1764086940, 1) - SQLITE_CONSTRAINT: UNIQUE constraint failed: stat_minutely.monitor_id, stat_minutely.timestamp"
	sqliteHourly   = "insert into `stat_hourly` (`down`, `monitor_id`, `ping`, `ping_max`, `ping_min`, `timestamp`, `up`) values (0, 1, 12, 12, 12, 1764086400, 1) - SQLITE_CONSTRAINT: UNIQUE constraint failed: stat_hourly.monitor_id, stat_hourly.timestamp"
	sqliteDaily    = "insert into `stat_daily` (`down`, `monitor_id`, `ping`, `ping_max`, `ping_min`, `timestamp`, `up`) values (0, 1, 12, 12, 12, 1764028800, 1) - SQLITE_CONSTRAINT: UNIQUE constraint failed: stat_daily.monitor_id, stat_daily.timestamp"
	mariaMinutely  = "insert into `stat_minutely` (`down`, `monitor_id`, `ping`, `timestamp`, `up`) values (0, 1, 12, 1764086940, 1) - ER_DUP_ENTRY: Duplicate entry '1-1764086940' for key 'stat_minutely_monitor_id_timestamp_unique'"
	mariaHourly    = "insert into `stat_hourly` (`down`, `monitor_id`, `ping`, `timestamp`, `up`) values (0, 1, 12, 1764086400, 1) - ER_DUP_ENTRY: Duplicate entry '1-1764086400' for key 'stat_hourly_monitor_id_timestamp_unique'"
	maria2Daily    = "insert into `stat_daily` (`down`, `monitor_id`, `ping`, `timestamp`, `up`) values (0, 1, 12, 1764028800, 1) - Duplicate entry '1-1764028800' for key 'stat_daily.stat_daily_monitor_id_timestamp_unique'"
)

// TestJudgeStuckStats: a unique-key failure inserting a statistics row is
// a stuck period ending at the next minute, hour or UTC day; other faults
// and rejections keep their kinds.
//
// Catches: the table read from the insert's target only when the
// constraint names another one, a stat_hourly failure taken for a minute
// (StatHourly dropped from stuckStats' list), MariaDB's wording missed
// ("ER_DUP_ENTRY" lookup removed), and periodEnd's day cut in local time.
func TestJudgeStuckStats(t *testing.T) {
	at := time.Date(2026, 11, 25, 16, 9, 38, 0, time.UTC)
	minute, hour, day := time.Date(2026, 11, 25, 16, 10, 0, 0, time.UTC), time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		msg   string
		kind  string // "stuck", "fault" or "rejected"
		table string
		until time.Time
	}{
		{sqliteMinutely, "stuck", StatMinutely, minute},
		{sqliteHourly, "stuck", StatHourly, hour},
		{sqliteDaily, "stuck", StatDaily, day},
		{mariaMinutely, "stuck", StatMinutely, minute},
		{mariaHourly, "stuck", StatHourly, hour},
		{maria2Daily, "stuck", StatDaily, day},
		{"Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?", "fault", "", time.Time{}},
		{busyMsg, "fault", "", time.Time{}},
		{"insert into `heartbeat` (`id`) values (7) - SQLITE_CONSTRAINT: UNIQUE constraint failed: heartbeat.id", "fault", "", time.Time{}},
		{"update `stat_minutely` set `up` = 2 - SQLITE_BUSY: database is locked", "fault", "", time.Time{}},
		{"Monitor not found or not active.", "rejected", "", time.Time{}},
	} {
		resp := &http.Response{StatusCode: 404, Header: http.Header{"Content-Type": {jsonCT}}}
		body := `{"ok":false,"msg":"` + strings.ReplaceAll(tc.msg, `"`, `\"`) + `"}`
		err := judge(resp, []byte(body), at)
		var stuck *StuckStatsError
		var fault *faultError
		var rej *RejectedError
		switch tc.kind {
		case "stuck":
			if !errors.As(err, &stuck) || stuck.Table != tc.table || !stuck.Until.Equal(tc.until) || stuck.StatusCode != 404 || stuck.Msg != tc.msg {
				t.Errorf("judge(%.60q...) = %#v, want a stuck %s until %v", tc.msg, err, tc.table, tc.until)
			}
		case "fault":
			if !errors.As(err, &fault) {
				t.Errorf("judge(%.60q...) = %#v, want a fault", tc.msg, err)
			}
		case "rejected":
			if !errors.As(err, &rej) {
				t.Errorf("judge(%.60q...) = %#v, want a rejection", tc.msg, err)
			}
		}
	}
}

// fakeClock is a clock that moves only when a wait sleeps on it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return nil
}

// TestClientStuckMinuteWaited: a stuck minute is waited out, by the
// server's clock when it sends Date, plus the random spread, beyond
// MaxTime by at most a minute; a second stuck minute that cannot be waited
// out, and a stuck hour, end the push with a *StuckStatsError.
//
// Catches: the wait computed from the local clock though the server sent
// Date (serverTime returning now), the spread left out (wait =
// o.statsWait) or taken uniform (no cube root), no time kept for the
// attempt (the 3/4 dropped), the wait refused beyond MaxTime (left computed from
// maxTime alone), and a stuck hour retried (the "o.statsWait <= 0" case
// removed).
func TestClientStuckMinuteWaited(t *testing.T) {
	local := time.Date(2026, 11, 25, 12, 0, 50, 300e6, time.UTC)
	boundary := time.Date(2026, 11, 25, 12, 1, 0, 0, time.UTC)
	stuckMinute := respond(404, jsonCT, `{"ok":false,"msg":"`+sqliteMinutely+`"}`)
	stuckHour := respond(404, jsonCT, `{"ok":false,"msg":"`+sqliteHourly+`"}`)
	type rs = []func(http.ResponseWriter)
	for _, tc := range []struct {
		name      string
		date      time.Duration // the server's clock ahead of the local one; -1: no Date header
		jitter    float64
		responses rs
		wantWaits []time.Duration
		wantErr   string // "": accepted
	}{
		// 9.7 s to the minute; the spread's window is 3/4 of the 55.3 s
		// left past it (MaxTime 5 s + a minute), and u = 1/8 puts the
		// push at half of it: beyond MaxTime.
		{"local clock", -1, 0.625, rs{stuckMinute, accepted}, []time.Duration{30437500 * time.Microsecond}, ""},
		{"no spread", -1, 0.5, rs{stuckMinute, accepted}, []time.Duration{9700 * time.Millisecond}, ""},
		{"most spread", -1, 1.5, rs{stuckMinute, accepted}, []time.Duration{51175 * time.Millisecond}, ""},
		// The server's clock says 12:00:55 (Date is cut to the second):
		// 5 s to the minute, a window of 45 s.
		{"server clock", 4700 * time.Millisecond, 0.625, rs{stuckMinute, accepted}, []time.Duration{27500 * time.Millisecond}, ""},
		{"stuck again: not waited past MaxTime+1m", -1, 0.625, rs{stuckMinute}, []time.Duration{30437500 * time.Microsecond},
			"push failed after 2 attempts: Uptime Kuma 2.x has this monitor's statistics stuck until 2026-11-25 12:02:00 UTC (its bug, uptime-kuma#5357, in stat_minutely): the beat was not recorded; a push waits for the next minute, up to a minute past its time bound"},
		{"stuck hour: no wait", -1, 1, rs{stuckHour, accepted}, nil,
			"push failed after 1 attempt: Uptime Kuma 2.x has this monitor's statistics stuck until 2026-11-25 13:00:00 UTC (its bug, uptime-kuma#5357, in stat_hourly): the beat was not recorded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: local}
			var (
				mu       sync.Mutex
				arrivals []time.Time
			)
			s := &scripted{responses: tc.responses}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				now := clock.now()
				mu.Lock()
				arrivals = append(arrivals, now)
				mu.Unlock()
				if tc.date < 0 {
					w.Header()["Date"] = nil
				} else {
					w.Header().Set("Date", now.Add(tc.date).Format(http.TimeFormat))
				}
				s.ServeHTTP(w, r)
			}))
			defer srv.Close()
			var waits []time.Duration
			c := &Client{
				Endpoint: mustEndpoint(t, srv.URL+"/api/push/Tok3n"),
				MaxTime:  5 * time.Second,
				jitter:   func() float64 { return tc.jitter },
				now:      clock.now,
				sleep: func(ctx context.Context, d time.Duration) error {
					waits = append(waits, d)
					return clock.sleep(ctx, d)
				},
			}
			_, err := c.Push(context.Background(), Beat{})
			if !equalDurations(waits, tc.wantWaits) {
				t.Errorf("waits = %v, want %v", waits, tc.wantWaits)
			}
			if tc.wantErr != "" {
				var stuck *StuckStatsError
				var unr *UnreachableError
				if !errors.As(err, &stuck) || !errors.As(err, &unr) || unr.Sent || err.Error() != tc.wantErr {
					t.Errorf("error %v, want an *UnreachableError wrapping a *StuckStatsError: %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Push: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(arrivals) != 2 {
				t.Fatalf("%d requests, want 2", len(arrivals))
			}
			second := arrivals[1].Add(max(tc.date, 0))
			if second.Before(boundary) || arrivals[1].Sub(local) <= c.MaxTime || arrivals[1].Sub(local) > c.MaxTime+time.Minute {
				t.Errorf("second push at %v (server clock %v): want after the minute's end %v, beyond MaxTime by at most a minute", arrivals[1], second, boundary)
			}
		})
	}
}

// TestStatsOffsetSeparatesFirstTwo: of 48 pushes held by a stuck minute
// and spread over 45 s, the first two of the next minute come within
// 30 ms of each other (about the time Uptime Kuma 2.5.3 takes to store the
// minute's row, the race's window) in under 1.5 % of 5,000 seeded draws.
//
// Catches: a uniform spread (about 3 %), and one over a fifth of the
// window (15 %).
func TestStatsOffsetSeparatesFirstTwo(t *testing.T) {
	const n, trials, window, race = 48, 5000, 45 * time.Second, 30 * time.Millisecond
	r := rand.New(rand.NewPCG(1, 2))
	near := 0
	for range trials {
		first, second := window, window
		for range n {
			d := statsOffset(r.Float64(), window)
			if d < first {
				first, second = d, first
			} else if d < second {
				second = d
			}
		}
		if second-first < race {
			near++
		}
	}
	if frac := float64(near) / trials; frac >= 0.015 {
		t.Errorf("the first two pushes within %v in %.1f %% of draws, want under 1.5 %%", race, 100*frac)
	} else {
		t.Logf("the first two pushes within %v in %.2f %% of draws", race, 100*frac)
	}
}
