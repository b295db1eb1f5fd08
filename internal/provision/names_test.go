package provision

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/kumaapi"
)

// Catches (tried): a comment that is crontab's column header or a
// commented-out job taken for a name; cd DIR && or NAME=value taken for the
// job; an interpreter named instead of its script; / or spaces in a file
// name.
func TestJobName(t *testing.T) {
	for _, tc := range []struct{ above, command, want string }{
		{"# nightly backup", "/bin/true", "nightly backup"},
		{"#   db   dump  ", "/bin/true", "db dump"},
		{"# m h  dom mon dow   command", "/usr/local/bin/backup.sh --full", "backup.sh"},
		{"# 0 3 * * * /usr/bin/old-job", "/usr/bin/new-job", "new-job"},
		{"# MAILTO=me", "x", "x"},
		{"#", "LANG=C cd /srv && ./run.sh > log 2>&1", "run.sh"},
		{"", "(cd /srv; exec python3 -u manage.py cleanup)", "manage.py"},
		{"", "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )", "run-parts"},
		{"", `sh -c '/opt/app/bin/rotate --all'`, "rotate"},
		{"", "'unterminated", "job"},
		{"", "sh -c", "sh"}, // -c without its command
		{"", "bash -x", "bash"},
		// Mutations: words read past their end when only assignments are
		// left; an operator first (Position 0) taken as the end.
		{"", "A=1", "job"},
		{"", "A=1 B=2; backup", "backup"},
		{"", "; backup", "backup"},
		{"", "&& backup", "backup"},
		// Twenty steps at most: i <= 20 or i-- would find the program.
		{"", strings.Repeat("cd /; ", 19) + "backup", "backup"},
		{"", strings.Repeat("cd /; ", 20) + "backup", "job"},
	} {
		text := tc.above + "\n0 * * * * " + tc.command + "\n"
		lines, err := crontab.Parse(strings.NewReader(text), false)
		if err != nil {
			t.Fatal(err)
		}
		if got := JobName(lines, 1, FromComment); got != tc.want {
			t.Errorf("JobName(%q / %q) = %q, want %q", tc.above, tc.command, got, tc.want)
		}
	}
	// The first line has no line above it.
	if first, _ := crontab.Parse(strings.NewReader("0 * * * * /bin/true\n"), false); JobName(first, 0, FromComment) != "true" {
		t.Errorf("first line: %q", JobName(first, 0, FromComment))
	}
	lines, _ := crontab.Parse(strings.NewReader("# named\n0 * * * * /bin/true\n"), false)
	if got := JobName(lines, 1, FromCommand); got != "true" {
		t.Errorf("FromCommand: %q", got)
	}
	for in, want := range map[string]string{"nightly backup": "nightly-backup", "a/b c": "a-b-c", "../x": "x", "é": "job", "backup.sh-2": "backup.sh-2",
		"Db_Dump.v2": "Db_Dump.v2", "a[b]^c`d": "a-b-c-d", "x@y{z}~": "x-y-z", "AZ09az": "AZ09az"} {
		if got := FileStem(in); got != want {
			t.Errorf("FileStem(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAssignNamesNoFreeName: NoFreeNameError when base and base-2 to
// base-1000 are all taken, as documented; base-1000 is still given when
// free. Mutation caught: n > 1000 (base-1001 tried too; the mutation pass
// found it as a bug, since fixed).
func TestAssignNamesNoFreeName(t *testing.T) {
	for _, tc := range []struct {
		taken int    // monitors x, x-2 ... x-taken that are not push monitors
		want  string // the name given; "": NoFreeNameError
	}{
		{999, "x-1000"},
		{1000, ""},
	} {
		monitors := []kumaapi.Monitor{{ID: 1, Name: "x", Type: "http"}}
		for n := 2; n <= tc.taken; n++ {
			monitors = append(monitors, kumaapi.Monitor{ID: n, Name: "x-" + strconv.Itoa(n), Type: "http"})
		}
		slots := []*Slot{{Base: "x", Want: Target{Interval: 60}}}
		err := AssignNames(slots, monitors, nil, "", t.TempDir())
		var nf *NoFreeNameError
		switch {
		case tc.want == "" && (!errors.As(err, &nf) || nf.Base != "x" || nf.Index != 0):
			t.Errorf("x to x-%d taken: name %q, err %v; want NoFreeNameError", tc.taken, slots[0].Name, err)
		case tc.want != "" && (err != nil || slots[0].Name != tc.want):
			t.Errorf("x to x-%d taken: name %q, err %v; want %q", tc.taken, slots[0].Name, err, tc.want)
		}
	}
}

// Catches (tried): two slots given one name or one url-file; a monitor
// another job pushes to adopted; a url-file holding another URL reused;
// a non-push monitor's name taken; the own monitor's url-file refused.
func TestAssignNames(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("sync.url", "https://elsewhere.example/api/push/Other\n")
	write("mine.url", "https://k/api/push/MineToken\n")
	monitors := []kumaapi.Monitor{
		{ID: 1, Name: "web", Type: "http"},
		{ID: 2, Name: "true", Type: "push", PushToken: "Taken"},
		{ID: 3, Name: "mine", Type: "push", PushToken: "MineToken", Interval: 60},
	}
	want := Target{Interval: 60}
	slots := []*Slot{{Base: "true", Want: want}, {Base: "a b", Want: want}, {Base: "a/b", Want: want},
		{Base: "web", Want: want}, {Base: "sync", Want: want}, {Base: "mine", Want: want}}
	if err := AssignNames(slots, monitors, map[string]bool{"Taken": true}, "", dir); err != nil {
		t.Fatal(err)
	}
	for i, w := range []struct{ name, file, passed string }{
		{"true-2", "true-2.url", "monitor id 2 is another job's"},
		{"a b", "a-b.url", ""},
		{"a/b-2", "a-b-2.url", "another job of this crontab has it"},
		{"web-2", "web-2.url", `monitor "web" is not a Push monitor (id 1 (http))`},
		{"sync-2", "sync-2.url", filepath.Join(dir, "sync.url") + " exists and holds another push URL"},
		{"mine", "mine.url", ""},
	} {
		s := slots[i]
		if s.Name != w.name || s.URLFile != filepath.Join(dir, w.file) || s.Passed != w.passed {
			t.Errorf("slot %d: %q, %q, passed %q; want %q, %q, %q", i, s.Name, s.URLFile, s.Passed, w.name, w.file, w.passed)
		}
	}
	if slots[5].Decision.Existing == nil || slots[5].Decision.Existing.ID != 3 {
		t.Errorf("mine: decision %v, want monitor 3", slots[5].Decision)
	}
}
