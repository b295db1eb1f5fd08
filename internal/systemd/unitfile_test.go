package systemd

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const fakeRoot = "testdata/root"

// TestParseUnitFile catches the syntax of systemd.syntax(7) going wrong:
// e.g. dropping `if escaped { continue }` in parseUnitFile (no line
// continuation), or not skipping comments inside one.
func TestParseUnitFile(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // section.key=value
	}{
		{"plain", "[Timer]\nOnCalendar = daily \n", []string{"Timer.OnCalendar=daily"}},
		{"comments", "# c\n; c\n[Timer]\n  # indented\nA=1\n", []string{"Timer.A=1"}},
		{"outside section", "A=1\n[S]\nB=2\n", []string{"S.B=2"}},
		{"no equals", "[S]\nnothing\nB=2\n", []string{"S.B=2"}},
		{"continuation", "[S]\nA=one \\\n  two\n", []string{"S.A=one    two"}},
		{"comment in continuation", "[S]\nA=one\\\n# skip\n; skip\ntwo\n", []string{"S.A=one two"}},
		{"escaped backslash ends no line", "[S]\nA=x\\\\\nB=y\n", []string{`S.A=x\\`, "S.B=y"}},
		{"continuation at end of file", "[S]\nA=x \\", []string{"S.A=x"}},
		{"value with =", "[S]\nEnvironment=A=b\n", []string{"S.Environment=A=b"}},
		{"bad section", "[S\nA=1\n[T]\nB=2\n", []string{"T.B=2"}},
		{"bom", "\ufeff[S]\nA=1\n", []string{"S.A=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range parseUnitFile([]byte(tt.in), "f") {
				got = append(got, s.section+"."+s.key+"="+s.value)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestValues catches list resets and single-value overrides going wrong:
// e.g. `vs = nil` removed from Unit.Values (ExecStart= would not reset).
func TestValues(t *testing.T) {
	u := &Unit{settings: parseUnitFile([]byte("[Service]\nExecStart=/a\nExecStart=\nExecStart=/b\nExecStart=/c\nType=simple\nType=oneshot\nUser=x\nUser=\n"), "f")}
	if got := u.Values("Service", "ExecStart"); !slices.Equal(got, []string{"/b", "/c"}) {
		t.Errorf("ExecStart = %q", got)
	}
	if got, ok := u.Value("Service", "Type"); got != "oneshot" || !ok {
		t.Errorf("Type = %q %v", got, ok)
	}
	if got, ok := u.Value("Service", "User"); ok {
		t.Errorf("User = %q, set after an empty assignment", got)
	}
}

// TestLoad catches the search path, drop-in order and masks going wrong:
// e.g. sorting drop-ins by directory instead of by file name, letting
// /usr/lib's 10-override.conf win over /etc's (`if _, ok := seen[...]; !ok`
// made unconditional), or not following an instance to its template.
func TestLoad(t *testing.T) {
	sys := Tree{Root: fakeRoot}
	abs := func(p string) string { return filepath.Join(fakeRoot, p) }
	tests := []struct {
		name      string
		tree      Tree
		path      string
		dropIns   []string
		masked    bool
		cal       []string
		notFound  bool
		activates string
	}{
		{name: "backup.timer", tree: sys, path: abs("usr/lib/systemd/system/backup.timer"),
			dropIns: []string{abs("etc/systemd/system/backup.timer.d/10-override.conf"),
				abs("usr/lib/systemd/system/backup.timer.d/20-accuracy.conf"),
				abs("etc/systemd/system/timer.d/30-persistent.conf")},
			cal: []string{"*-*-* 02:00 UTC"}, activates: "backup.service"},
		{name: "fstrim.timer", tree: sys, path: abs("etc/systemd/system/fstrim.timer"), masked: true},
		{name: "pg_dump@15-main.timer", tree: sys, path: abs("usr/lib/systemd/system/pg_dump@.timer"),
			dropIns: []string{abs("etc/systemd/system/timer.d/30-persistent.conf")},
			cal:     []string{"weekly"}, activates: "pg_dump@15-main.service"},
		{name: "nojob.timer", tree: sys, path: abs("usr/lib/systemd/system/nojob.timer"),
			dropIns: []string{abs("etc/systemd/system/timer.d/30-persistent.conf")}, activates: "missing.service"},
		{name: "sync.timer", tree: Tree{Root: fakeRoot, User: true, Home: "/home/ann"},
			path: abs("home/ann/.config/systemd/user/sync.timer"), cal: []string{"*:0/15"}, activates: "sync.service"},
		{name: "sync.timer", tree: sys, notFound: true},
		{name: "tmp-clean.timer", tree: Tree{Root: fakeRoot, User: true, Home: "/home/ann"},
			path: abs("usr/lib/systemd/user/tmp-clean.timer"), activates: "tmp-clean.service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, err := tt.tree.Timer(tt.name)
			if tt.notFound {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("err = %v, want ErrNotFound", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tm.Path != tt.path || tm.Masked != tt.masked || !slices.Equal(tm.DropIns, tt.dropIns) {
				t.Errorf("path %s masked %v drop-ins %q\nwant %s %v %q", tm.Path, tm.Masked, tm.DropIns, tt.path, tt.masked, tt.dropIns)
			}
			if !tt.masked && (!slices.Equal(tm.OnCalendar, tt.cal) || tm.Activates != tt.activates) {
				t.Errorf("OnCalendar %q Unit %s, want %q %s", tm.OnCalendar, tm.Activates, tt.cal, tt.activates)
			}
		})
	}
}

// TestDropInDirs catches dash-prefix and template drop-in directories
// going wrong: e.g. `prefix = prefix[:at]` removed, which would look for
// foo-bar@x-.service.d.
func TestDropInDirs(t *testing.T) {
	got := dedupe(dropInDirs("/d", "foo-bar@x-y.service", nil))
	want := []string{"/d/foo-bar@x-y.service.d", "/d/foo-bar@.service.d", "/d/foo-.service.d"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTimers catches the listing going wrong: e.g. templates listed as
// timers, or enabled instances in timers.target.wants/ missed.
func TestTimers(t *testing.T) {
	tms, err := Tree{Root: fakeRoot}.Timers()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tm := range tms {
		names = append(names, tm.Name)
	}
	want := []string{"apt-daily.timer", "backup.timer", "boot.timer", "e2scrub_all.timer", "fstrim.timer",
		"nojob.timer", "pg_dump@15-main.timer", "systemd-tmpfiles-clean.timer"}
	if !slices.Equal(names, want) {
		t.Errorf("got %q\nwant %q", names, want)
	}
}

// TestLoadAgainstSystemd compares the files Load merges, in order, with
// systemd-analyze cat-config --root (systemd's own conf_files_list), for
// every timer and service of the fake root. It catches what TestLoad
// catches, judged by systemd instead of by hand.
func TestLoadAgainstSystemd(t *testing.T) {
	sa := systemdAnalyze(t)
	root, err := filepath.Abs(fakeRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"backup.timer", "apt-daily.timer", "nojob.timer", "backup.service"} {
		u, err := Tree{Root: root}.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sa, "cat-config", "--root="+root, "systemd/system/"+name).CombinedOutput()
		if err != nil {
			t.Skipf("systemd-analyze cat-config does not run here: %v: %s", err, out)
		}
		var files []string
		for _, l := range strings.Split(string(out), "\n") {
			if f, ok := strings.CutPrefix(l, "# "); ok && strings.HasPrefix(f, root) {
				files = append(files, f)
			}
		}
		// cat-config knows no type-wide timer.d/: compare without it.
		var mine []string
		for _, f := range append([]string{u.Path}, u.DropIns...) {
			if !strings.Contains(f, "/timer.d/") {
				mine = append(mine, f)
			}
		}
		if !slices.Equal(mine, files) {
			t.Errorf("%s: read %q\nsystemd reads %q", name, mine, files)
		}
	}
}

// systemdAnalyze returns the path of systemd-analyze, or skips the test.
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed: cannot compare with systemd")
	}
	if _, err := os.Stat(p); err != nil {
		t.Skip(err)
	}
	return p
}
