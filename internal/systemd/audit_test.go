package systemd

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAudit catches a finding missed or invented: e.g. the
// `s.Type != "oneshot"` test inverted, the /api/push/ check dropped, or
// the token left unredacted in Finding.Text.
func TestAudit(t *testing.T) {
	sys := Tree{Root: fakeRoot}
	user := Tree{Root: fakeRoot, User: true, Home: "/home/ann"}
	monitored := func(argv []string) bool {
		return len(argv) > 1 && filepath.Base(argv[0]) == "opkuma" && argv[1] == "run"
	}
	tests := []struct {
		tree      Tree
		timer     string
		want      []Problem
		monitored bool
	}{
		{sys, "backup.timer", []Problem{InvalidExecStart, NoExecStart, NotOneshot, PercentInURL, TokenOnCommandLine}, false},
		{sys, "apt-daily.timer", nil, false},
		{sys, "fstrim.timer", []Problem{Masked}, false},
		{sys, "boot.timer", []Problem{InvalidCalendar, NoSchedule, ServiceNotFound}, false},
		{sys, "nojob.timer", []Problem{ServiceNotFound}, false},
		{sys, "pg_dump@15-main.timer", nil, false},
		{user, "sync.timer", []Problem{RemainAfterExit}, true},
	}
	for _, tt := range tests {
		t.Run(tt.timer, func(t *testing.T) {
			tm, err := tt.tree.Timer(tt.timer)
			if err != nil {
				t.Fatal(err)
			}
			r := tt.tree.Audit(tm, monitored)
			var got []Problem
			for _, f := range r.Findings {
				got = append(got, f.Problem)
				if strings.Contains(f.Text, "S3cr3t") {
					t.Errorf("token not redacted: %s", f.Text)
				}
			}
			if !slices.Equal(got, tt.want) || r.Monitored != tt.monitored {
				t.Errorf("got %v monitored %v, want %v %v", got, r.Monitored, tt.want, tt.monitored)
			}
		})
	}
}

// TestDropIn catches a drop-in systemd reads otherwise: e.g. the reset
// line "ExecStart=" left out (a simple service would get two commands and
// be refused), or the "-" prefix lost. It checks the bytes, then has
// systemd-analyze verify --root load the unit with the drop-in and
// compares the command it dumps.
func TestDropIn(t *testing.T) {
	root := t.TempDir()
	tr := Tree{Root: root}
	unitDir := filepath.Join(root, "usr/lib/systemd/system")
	if err := os.MkdirAll(unitDir, 0o755); err != nil {
		t.Fatal(err)
	}
	unit := "[Unit]\nDefaultDependencies=no\n[Service]\nType=oneshot\nExecStart=-@/bin/echo zero \"a b\" 100%% ${HOME} $$x\n"
	if err := os.WriteFile(filepath.Join(unitDir, "job.service"), []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := tr.Service("job")
	if err != nil || len(s.ExecStart) != 1 {
		t.Fatal(s, err)
	}
	wrapper := []string{"/bin/opkuma", "run", "--url-file", "/etc/opkuma/job 1.url", "--"}
	path, data, err := tr.DropIn("job", wrapper, s.ExecStart[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "etc/systemd/system/job.service.d/opkuma.conf"); path != want {
		t.Errorf("path %s, want %s", path, want)
	}
	wantData := "# Written by opkuma (opkuma timers wrap): runs the job under opkuma run.\n[Service]\nExecStart=\n" +
		`ExecStart=-/bin/opkuma run --url-file "/etc/opkuma/job 1.url" -- /bin/echo "a b" 100%% ${HOME} $$x` + "\n"
	if string(data) != wantData {
		t.Errorf("got\n%s\nwant\n%s", data, wantData)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := tr.Service("job")
	if err != nil || len(again.ExecStart) != 1 || again.ExecStart[0].Prefix != "-" {
		t.Fatalf("reloaded: %+v, %v", again, err)
	}
	want := append(slices.Clone(wrapper), "/bin/echo", "a b", "100%", "${HOME}", "$x")
	if got := again.ExecStart[0].Argv(); !slices.Equal(got, want) {
		t.Errorf("reloaded argv %q, want %q", got, want)
	}
	sa := systemdAnalyze(t)
	cmd := exec.Command(sa, "verify", "--root="+root, "job.service")
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=debug")
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "DropIn Path: "+path) {
		t.Skipf("systemd-analyze verify --root does not read the drop-in here: %s", out)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimLeft(l, "\t"), "Command Line: "); ok {
			lines = append(lines, rest)
		}
	}
	if len(lines) != 1 || !slices.Equal(unquoteDump(lines[0]), again.ExecStart[0].Words) {
		t.Errorf("systemd: %q, want %q", lines, again.ExecStart[0].Words)
	}
}
