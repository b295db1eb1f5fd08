package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opkuma/opkuma/internal/realkuma"
	"github.com/opkuma/opkuma/internal/systemd"
)

// systemdPath is the PATH systemd gives a system service's command.
const systemdPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// On real Uptime Kuma 1.23.17 and 2.5.3: timers wrap --provision --write
// on a temporary root creates the timer's monitor with the advised
// interval, writes its url-file and the drop-in; the drop-in's ExecStart=,
// exec'd as systemd splits it with systemd's PATH, lands one beat per run;
// a second run changes nothing. systemd-analyze verify reads the unit.
// Catches (tried): the drop-in wrapping opkuma by name, not its absolute
// path (exec: not found under systemd's PATH: no beat); provisionMonitor's
// Apply skipped on --write (no monitor); the second run creating another
// monitor (Decide by another name: 2 monitors).
func TestTimersWrapProvisionRealKuma(t *testing.T) {
	realkuma.EachVersion(t, func(t *testing.T, in *realkuma.Install) {
		s := realkuma.Start(t, in)
		bin := opkumaBinary(t)
		dir := t.TempDir()
		root := filepath.Join(dir, "root")
		units := filepath.Join(root, "etc/systemd/system")
		if err := os.MkdirAll(units, 0o755); err != nil {
			t.Fatal(err)
		}
		files := map[string]string{
			"x.timer":   "[Unit]\nDescription=x\nDefaultDependencies=no\n[Timer]\nOnCalendar=hourly\n[Install]\nWantedBy=timers.target\n",
			"x.service": "[Unit]\nDescription=x\nDefaultDependencies=no\n[Service]\nType=oneshot\nExecStart=/bin/sh -c \"echo 'x ran'\"\n",
		}
		for n, body := range files {
			if err := os.WriteFile(filepath.Join(units, n), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		pw := filepath.Join(dir, "kuma.pass")
		if err := os.WriteFile(pw, []byte(in.Setup.Password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		urls := filepath.Join(dir, "urls")
		args := []string{"timers", "wrap", "x.timer", "--provision", "--write", "--root", root, "--kuma", s.URL,
			"--kuma-user", in.Setup.Username, "--password-file", pw, "--url-dir", urls, "--tz", "UTC"}
		wrap := func() string {
			c := exec.Command(bin, args...)
			c.Env = []string{"PATH=" + systemdPath, "HOME=" + dir}
			out, err := c.CombinedOutput()
			if err != nil {
				t.Fatalf("opkuma %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			return string(out)
		}
		out := wrap()
		type row struct {
			ID       int `json:"id"`
			Interval int `json:"interval"`
		}
		var rows []row
		if err := s.Query("SELECT id, interval FROM monitor WHERE type = 'push' AND name = 'x'", &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Interval != 4026 { // 3600 s + AccuracySec= 60 s + 10%
			t.Fatalf("monitors named x: %+v\n%s", rows, out)
		}
		urlFile := filepath.Join(urls, "x.url")
		token := readURLFile(t, urlFile, s.URL)
		dropIn := filepath.Join(units, "x.service.d", "opkuma.conf")
		before := mustRead(t, dropIn)
		if strings.Contains(out, token) || strings.Contains(before, token) {
			t.Errorf("token in the output or the drop-in:\n%s", out)
		}

		svc, err := systemd.Tree{Root: root}.Service("x.service")
		if err != nil || len(svc.ExecStart) != 1 {
			t.Fatalf("x.service with the drop-in: %+v, %v", svc, err)
		}
		cmd := svc.ExecStart[0]
		for i := 0; i < 2; i++ {
			c := &exec.Cmd{Path: cmd.Path(), Args: cmd.Argv(), Env: []string{"PATH=" + systemdPath, "LANG=C.UTF-8"}, Dir: "/"}
			if out, err := c.CombinedOutput(); err != nil {
				t.Fatalf("ExecStart=%q: %v\n%s", cmd.Words, err, out)
			}
		}
		if hb := s.MustHeartbeats(t, rows[0].ID); len(hb) != 2 || hb[0].Status != realkuma.Up || hb[1].Status != realkuma.Up {
			t.Errorf("heartbeats: %v, want two UP", hb)
		}

		again := wrap()
		if err := s.Query("SELECT id, interval FROM monitor WHERE type = 'push' AND name = 'x'", &rows); err != nil || len(rows) != 1 {
			t.Errorf("after a second run: monitors %+v, %v", rows, err)
		}
		if readURLFile(t, urlFile, s.URL) != token || mustRead(t, dropIn) != before || strings.Count(again, "unchanged") != 3 {
			t.Errorf("second run changed something:\n%s", again)
		}
		verify(t, root, bin)
	})
}

// verify runs systemd-analyze verify --root on x.timer and x.service,
// where it runs: it must find nothing but that bin, a path of this
// machine, is not under root.
func verify(t *testing.T, root, bin string) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze verify not run: no systemd-analyze here")
		return
	}
	out, _ := exec.Command(sa, "verify", "--root="+root, "x.timer", "x.service").CombinedOutput()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" && l != "x.service: Command "+bin+" is not executable: No such file or directory" {
			t.Errorf("systemd-analyze verify --root: %s", l)
		}
	}
}
