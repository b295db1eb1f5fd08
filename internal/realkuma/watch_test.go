package realkuma

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWatch is issue #19's done-when, on each real server: monitors made by
// opkuma monitor ensure with schedule "* * * * *", runtime 5 s, margin
// 10 s. A minute's run has its deadline at :15, so a pass at :16-:40
// looks at that minute's run, and two passes in that window look at the
// same one. The monitor with no job gets one DOWN beat naming the run from
// the first pass and nothing from the second; the one whose job pushed
// at the minute gets none; a paused one gets none. After a restart of
// Uptime Kuma, the next minute's run is detected the same way.
// Catches (tried): Decide not given the beats read back (the second pass
// pushes again: two DOWN beats).
func TestWatch(t *testing.T) {
	EachVersion(t, func(t *testing.T, in *Install) {
		t.Parallel()
		s := Start(t, in)
		dir := t.TempDir()
		pw := filepath.Join(dir, "kuma.pass")
		if err := os.WriteFile(pw, []byte(in.Setup.Password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		login := []string{"--kuma", s.URL, "--user", in.Setup.Username, "--password-file", pw}
		ids := map[string]int{}
		for _, name := range []string{"nojob", "ontime", "paused"} {
			r := opkuma(t, nil, append([]string{"monitor", "ensure", "--name", name, "--schedule", "* * * * *", "--tz", "UTC",
				"--runtime", "5s", "--margin", "10s", "--url-file", filepath.Join(dir, name+".url")}, login...)...)
			m := regexp.MustCompile(`\(id (\d+)\): created: `).FindStringSubmatch(r.stdout)
			if r.code != 0 || m == nil {
				t.Fatalf("ensure %s: exit %d, %s%s", name, r.code, r.stdout, r.stderr)
			}
			ids[name], _ = strconv.Atoi(m[1])
		}
		var desc []struct{ Description string }
		if err := s.Query(fmt.Sprintf("SELECT description FROM monitor WHERE id = %d", ids["nojob"]), &desc); err != nil || len(desc) != 1 ||
			!strings.HasSuffix(desc[0].Description, "\n"+`opkuma: schedule="* * * * *" tz=UTC runtime=5s margin=10s`) {
			t.Fatalf("nojob's description: %v, %v", desc, err)
		}
		if err := s.Pause(ids["paused"]); err != nil {
			t.Fatal(err)
		}
		watch := func() result { return opkuma(t, nil, append([]string{"monitor", "watch", "-v"}, login...)...) }

		// round waits for the next minute, runs the job of "ontime", waits
		// for the run's deadline to pass and runs two passes.
		round := func(what string, downBefore int) {
			minute := time.Now().UTC().Truncate(time.Minute).Add(time.Minute)
			waitUntil(minute)
			if r := opkuma(t, nil, "run", "--url-file", filepath.Join(dir, "ontime.url"), "--", "true"); r.code != 0 {
				t.Fatalf("%s: the job: exit %d, %s", what, r.code, r.stderr)
			}
			waitUntil(minute.Add(16 * time.Second))
			first := watch()
			wantLine := fmt.Sprintf(`monitor "nojob" (id %d): missed the %s run (* * * * *, UTC): no heartbeat by %s: pushed down`,
				ids["nojob"], minute.Format("15:04"), minute.Add(15*time.Second).Format("15:04:05"))
			if first.code != 0 || !strings.Contains(first.stdout, wantLine+"\n") || strings.Count(first.stdout, "pushed down") != 1 ||
				!strings.Contains(first.stdout, fmt.Sprintf(`monitor "paused" (id %d): paused`, ids["paused"])) {
				t.Errorf("%s: first pass: exit %d\nstdout %s\nwant   %s\nstderr %s", what, first.code, first.stdout, wantLine, first.stderr)
			}
			second := watch()
			if second.code != 0 || strings.Contains(second.stdout, "pushed") {
				t.Errorf("%s: second pass: exit %d\nstdout %s\nstderr %s", what, second.code, second.stdout, second.stderr)
			}
			if time.Since(minute) > 40*time.Second {
				t.Logf("%s: the passes ended %v after the minute: the next run may have been due", what, time.Since(minute))
			}
			var down []Heartbeat
			for _, h := range s.MustHeartbeats(t, ids["nojob"]) {
				if strings.HasPrefix(h.Msg, "missed the ") {
					down = append(down, h)
				}
			}
			if len(down) != downBefore+1 || down[len(down)-1].Status != Down || !strings.Contains(down[len(down)-1].Msg, "missed the "+minute.Format("15:04")+" run") {
				t.Errorf("%s: nojob's down beats: %v, want %d, the last for %s", what, down, downBefore+1, minute.Format("15:04"))
			}
			// Uptime Kuma's own "No heartbeat in the time window" beats
			// are not ours (1.23 adds one to a monitor paused after it
			// was due).
			for _, name := range []string{"ontime", "paused"} {
				for _, h := range s.MustHeartbeats(t, ids[name]) {
					if strings.HasPrefix(h.Msg, "missed the ") {
						t.Errorf("%s: %s got a down push: %v", what, name, h)
					}
				}
			}
		}
		round("before the restart", 0)
		restart(t, s)
		round("after the restart", 1)
	})
}

// waitUntil waits for the wall clock to reach t: the event the passes
// wait for is a minute boundary of cron's clock.
func waitUntil(t time.Time) {
	if d := time.Until(t); d > 0 {
		time.Sleep(d)
	}
}

// restart stops s gracefully and starts Uptime Kuma again on the same
// data and port, as Start does.
func restart(t *testing.T, s *Server) {
	t.Helper()
	s.Stop()
	logf, err := os.OpenFile(s.Log, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	port := s.URL[strings.LastIndexByte(s.URL, ':')+1:]
	cmd := exec.Command("node", "server/server.js")
	cmd.Dir = filepath.Join(s.Install.Dir, "src")
	cmd.Env = append(os.Environ(), "DATA_DIR="+s.DataDir+"/", "UPTIME_KUMA_HOST=127.0.0.1",
		"UPTIME_KUMA_PORT="+port, "NODE_ENV=production")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("restarting node: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	if err := s.waitReady(exited); err != nil {
		t.Fatalf("restarting Uptime Kuma %s: %v\n%s", s.Install.Version, err, tail(s.Log, 30))
	}
}
