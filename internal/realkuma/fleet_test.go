package realkuma

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// FleetEnvVar names the environment variable that turns TestFleet on: the
// number of monitors, e.g. 300.
const FleetEnvVar = "OPKUMA_FLEET"

// TestFleet measures a fleet of cron jobs that all end at the same second
// (issue #17): N push monitors, N opkuma processes (--strict -v, job
// `true`) started together at the first second of a minute, one per
// monitor. It logs one table row per version: recorded (monitors with a
// heartbeat), duplicated (monitors with more than one), failed (exit != 0),
// push attempts, p50/p95/max of the processes' wall time, and p50/max of
// the server's answer to the last attempt (as -v reports it). It fails unless every
// monitor is recorded exactly once and every process exits 0.
//
// It is a measurement, not a check CI times: skipped unless
// OPKUMA_FLEET=N is set, e.g.
//
//	OPKUMA_FLEET=300 OPKUMA_REAL_KUMA=/tmp/kuma1:/tmp/kuma2 go test -run TestFleet -v -timeout 30m ./internal/realkuma
func TestFleet(t *testing.T) {
	v := os.Getenv(FleetEnvVar)
	if v == "" {
		t.Skipf("a measurement: set %s=N (e.g. 300) to run it", FleetEnvVar)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a number of monitors", FleetEnvVar, v)
	}
	var rows []string
	EachVersion(t, func(t *testing.T, in *Install) {
		row := fleet(t, in, n)
		rows = append(rows, row)
	})
	t.Logf("\n| version | monitors | recorded | duplicated | failed | attempts | p50 s | p95 s | max s | answer p50 s | answer max s |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n%s",
		strings.Join(rows, "\n"))
}

// fleet runs one fleet on a fresh server and returns its table row.
func fleet(t *testing.T, in *Install, n int) string {
	s := Start(t, in)
	added := time.Now()
	ms, err := s.AddMonitors(n, map[string]any{"name": "fleet"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d monitors added in %v", n, time.Since(added).Round(time.Millisecond))

	// Cron starts every job of a minute at its first second.
	start := time.Now().Truncate(time.Minute).Add(time.Minute)
	time.Sleep(time.Until(start)) // waiting for the wall clock's minute
	type run struct {
		code     int
		attempts int
		took     time.Duration // the process, start to exit
		answer   time.Duration // its last push attempt, as -v reports it
		stderr   string
	}
	runs := make([]run, n)
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := opkumaCmd(nil, "run", "--strict", "-v", "--url", s.PushURL(m.PushToken),
				"--msg", fmt.Sprintf("fleet %d", i), "--", "true")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			t0 := time.Now()
			err := cmd.Run()
			r := run{took: time.Since(t0), stderr: stderr.String()}
			if ee, ok := err.(*exec.ExitError); ok {
				r.code = ee.ExitCode()
			} else if err != nil {
				r.code, r.stderr = -1, err.Error()
			}
			for _, l := range strings.Split(r.stderr, "\n") {
				if strings.Contains(l, "push attempt ") {
					r.attempts++
					if i := strings.LastIndex(l, " in "); i >= 0 {
						r.answer, _ = time.ParseDuration(l[i+len(" in "):])
					}
				}
			}
			runs[i] = r
		}()
	}
	wg.Wait()
	t.Logf("all %d processes ended %v after the minute began", n, time.Since(start).Round(time.Millisecond))

	perMonitor := map[int]int{}
	for _, hb := range s.MustHeartbeats(t, 0) {
		perMonitor[hb.MonitorID]++
	}
	recorded, duplicated, failed, attempts := 0, 0, 0, 0
	took, answer := make([]float64, 0, n), make([]float64, 0, n)
	for i, m := range ms {
		c, r := perMonitor[m.ID], runs[i]
		if c > 0 {
			recorded++
		}
		if c > 1 {
			duplicated++
		}
		if r.code != 0 {
			failed++
		}
		attempts += r.attempts
		took, answer = append(took, r.took.Seconds()), append(answer, r.answer.Seconds())
		if c != 1 || r.code != 0 {
			t.Errorf("monitor %d (fleet %d): %d heartbeats; opkuma exit %d after %d attempts: %s", m.ID, i, c, r.code, r.attempts,
				pushPath.ReplaceAllString(strings.TrimSpace(r.stderr), "/api/push/<token>"))
		}
	}
	sort.Float64s(took)
	sort.Float64s(answer)
	row := fmt.Sprintf("| %s | %d | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f |", in.Version, n, recorded, duplicated, failed, attempts,
		quantile(took, 0.50), quantile(took, 0.95), took[len(took)-1], quantile(answer, 0.50), answer[len(answer)-1])
	t.Log(row)
	return row
}

// quantile returns the q-quantile of sorted (nearest rank).
func quantile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}
