package crontab

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func parseFile(t *testing.T, name string, system bool) []Line {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := Parse(bytes.NewReader(data), system)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

func TestParseUser(t *testing.T) {
	lines := parseFile(t, "user.crontab", false)
	tests := []struct {
		n         int
		kind      Kind
		schedule  string
		command   string
		monitored bool
		env       string // NAME=value
	}{
		{1, Comment, "", "", false, ""},
		{2, Env, "", "", false, "SHELL=/bin/bash"},
		{3, Env, "", "", false, "MAILTO=ops@example.com"},
		{4, Env, "", "", false, "PATH=/usr/local/bin:/usr/bin:/bin"},
		{5, Blank, "", "", false, ""},
		{7, Job, "0 * * * *", "/usr/local/bin/backup.sh --full", false, ""},
		{8, Job, "*/15 9-17 * * 1-5", "curl -fsS https://example.com/health > /dev/null 2>&1", false, ""},
		{9, Job, "30 2 * * *", "pg_dump mydb | gzip > /srv/db-$(date +%F).gz", false, ""},
		{10, Job, "@daily", "/usr/bin/find /tmp -mtime +7 -delete", false, ""},
		{11, Job, "@reboot", "/usr/local/bin/start-agent", false, ""},
		{12, Job, "0 0 1 * *", `mail -s "monthly report" ops@example.com`, false, ""},
		{13, Job, "5 4 * * sun", "opkuma run --url-file /etc/opkuma/rotate.url -- /usr/sbin/logrotate /etc/logrotate.conf", true, ""},
		{14, Env, "", "", false, "CRON_TZ=Europe/Paris"},
		{15, Job, "0 9 * * 1-5", "LANG=C /usr/local/bin/report", false, ""},
		{16, Invalid, "", "", false, ""},
	}
	for _, tt := range tests {
		l := lines[tt.n-1]
		if l.Number != tt.n || l.Kind != tt.kind {
			t.Errorf("line %d: number %d kind %v, want %v", tt.n, l.Number, l.Kind, tt.kind)
			continue
		}
		if l.Schedule != tt.schedule || l.Command() != tt.command || l.Monitored() != tt.monitored {
			t.Errorf("line %d: schedule %q command %q monitored %v", tt.n, l.Schedule, l.Command(), l.Monitored())
		}
		if tt.env != "" && l.Name+"="+l.Value != tt.env {
			t.Errorf("line %d: env %s=%s, want %s", tt.n, l.Name, l.Value, tt.env)
		}
	}
	if got := lines[11].CommandText(); !strings.HasSuffix(got, "%Report attached.%Bye") {
		t.Errorf("CommandText keeps the stdin part: %q", got)
	}
}

func TestParseSystem(t *testing.T) {
	lines := parseFile(t, "system.crontab", true)
	if l := lines[2]; l.Kind != Job || l.Schedule != "17 * * * *" || l.User != "root" || l.Command() != "cd / && run-parts --report /etc/cron.hourly" {
		t.Errorf("line 3: %+v command %q", l, l.Command())
	}
	if l := lines[3]; l.Kind != Job || l.Schedule != "@weekly" || l.User != "backup" {
		t.Errorf("line 4: %+v", l)
	}
	if l := lines[4]; l.Kind != Invalid {
		t.Errorf("line 5 (no user, no command): %v, want invalid", l.Kind)
	}
}

func TestWrap(t *testing.T) {
	const prefix = "opkuma run --url-file /etc/opkuma/x.url --"
	tests := []struct{ line, want string }{
		{"0 * * * *  /usr/local/bin/backup.sh --full", "0 * * * *  " + prefix + " /usr/local/bin/backup.sh --full"},
		{"30 2 * * *\tpg_dump db | gzip > /srv/db.gz  ", "30 2 * * *\t" + prefix + " 'pg_dump db | gzip > /srv/db.gz'  "},
		{`0 0 1 * * mail -s "it's" x%line1%line2`, `0 0 1 * * ` + prefix + ` 'mail -s "it'\''s" x'%line1%line2`},
		{`0 0 * * * date +\%F`, `0 0 * * * ` + prefix + ` 'date +\%F'`},
		{"@daily LANG=C report\r", "@daily " + prefix + " 'LANG=C report'\r"},
		// A builtin runs in sh only: exit 3 as argv would be "not found".
		{"@daily exit 3", "@daily " + prefix + " 'exit 3'"},
		// Mutation: a % first in the command not taken as the stdin's start.
		{"0 * * * * %stdin", "0 * * * * " + prefix + " ''%stdin"},
	}
	for _, tt := range tests {
		lines, _ := Parse(strings.NewReader(tt.line), false)
		got, err := lines[0].Wrap(prefix)
		if err != nil {
			t.Fatalf("%q: %v", tt.line, err)
		}
		if got != tt.want {
			t.Errorf("Wrap(%q)\n got %q\nwant %q", tt.line, got, tt.want)
		}
		// Wrapping twice is refused.
		again, _ := Parse(strings.NewReader(got), false)
		if _, err := again[0].Wrap(prefix); err == nil {
			t.Errorf("wrapping %q twice: no error", got)
		}
	}
	lines, _ := Parse(strings.NewReader("# a comment\nA=1\n"), false)
	for _, l := range lines {
		if _, err := l.Wrap(prefix); err == nil {
			t.Errorf("wrapping a %v line: no error", l.Kind)
		}
	}
	if _, err := wrapLine(prefix, "0 * * * * x % y"); err != nil {
		t.Error(err)
	}
}

// TestWrapNotJob checks the error for each kind of line that is not a job.
// Mutations caught: "an" for the wrong kinds.
func TestWrapNotJob(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"", "line 1 is a blank line, not a job"},
		{"# x", "line 1 is a comment line, not a job"},
		{"A=1", "line 1 is an environment line, not a job"},
		{"not a job", "line 1 is an invalid line, not a job"},
	} {
		_, err := parseLine(1, tc.line, false).Wrap("opkuma run --")
		if err == nil || err.Error() != tc.want {
			t.Errorf("Wrap of %q: %v, want %q", tc.line, err, tc.want)
		}
	}
}

// TestEnvValue checks the quotes taken off an environment value. Mutations
// caught: "" kept, any value whose ends match unquoted.
func TestEnvValue(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`A=""`, ""}, {`A=''`, ""}, {`A="x y"`, "x y"}, {`A='x'`, "x"},
		{`A=abba`, "abba"}, {`A="x'`, `"x'`}, {`A="`, `"`}, {`A=x`, "x"},
	} {
		if l := parseLine(1, tc.line, false); l.Kind != Env || l.Value != tc.want {
			t.Errorf("%q: kind %v value %q, want %q", tc.line, l.Kind, l.Value, tc.want)
		}
	}
}

// TestMonitored checks what counts as a job under opkuma run: the audit's
// rule. Mutations caught: "opkuma run" alone (two words) not counted; the
// second word taken for the subcommand (opkuma -v run re-wrapped, #18).
func TestMonitored(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"0 * * * * opkuma run", true},
		{"0 * * * * A=1 /usr/bin/opkuma run -- x", true},
		{"0 * * * * opkuma", false},
		{"0 * * * * opkuma list", false},
		{"0 * * * * =x opkuma run", false},
		{"0 3 * * * /usr/local/bin/opkuma -v run --url-file F -- /bin/true", true},
		{"0 3 * * * /usr/local/bin/opkuma --verbose run -- /bin/true", true},
		{"0 3 * * * nice -n 5 opkuma run -- /bin/true", true},
		{"0 3 * * * opkuma -v interval '0 * * * *'", false},
		{"0 3 * * * echo opkuma run", false},
	} {
		if got := parseLine(1, tc.line, false).Monitored(); got != tc.want {
			t.Errorf("Monitored(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// wrapLine parses one line and wraps it.
func wrapLine(prefix, line string) (string, error) {
	lines, _ := Parse(strings.NewReader(line), false)
	return lines[0].Wrap(prefix)
}

// FuzzParseLine checks that any line parses without panicking, keeps its
// bytes, and that a wrapped job still parses as the same schedule, wrapped.
func FuzzParseLine(f *testing.F) {
	data, _ := os.ReadFile("testdata/user.crontab")
	for _, l := range strings.Split(string(data), "\n") {
		f.Add(l, false)
	}
	data, _ = os.ReadFile("testdata/system.crontab")
	for _, l := range strings.Split(string(data), "\n") {
		f.Add(l, true)
	}
	f.Fuzz(func(t *testing.T, raw string, system bool) {
		if strings.Contains(raw, "\n") {
			return
		}
		l := parseLine(1, raw, system)
		if l.Raw != raw {
			t.Fatalf("Raw %q, want %q", l.Raw, raw)
		}
		if l.Kind != Job {
			return
		}
		if l.CommandAt <= 0 || l.CommandAt > len(raw) {
			t.Fatalf("CommandAt %d out of %q", l.CommandAt, raw)
		}
		w, err := l.Wrap("opkuma run --url-file /x --")
		if err != nil {
			return // already wrapped
		}
		back := parseLine(1, w, system)
		if back.Kind != Job || back.Schedule != l.Schedule || back.User != l.User || !back.Monitored() {
			t.Fatalf("wrapped %q -> %q: kind %v schedule %q monitored %v", raw, w, back.Kind, back.Schedule, back.Monitored())
		}
	})
}

func TestCronPercent(t *testing.T) {
	tests := []struct {
		text, cmd string
		at        int
	}{
		{"date", "date", -1},
		{"mail x%body%more", "mail x", 6},
		{`date +\%F`, "date +%F", -1},
		{`date +\%F%in`, "date +%F", 9},
		{`echo \\%in`, `echo \\`, 7}, // the backslash is escaped, not the %
		{`a\b`, `a\b`, -1},
		{`end\`, `end\`, -1},
	}
	for _, tt := range tests {
		cmd, at := cronPercent(tt.text)
		if cmd != tt.cmd || at != tt.at {
			t.Errorf("cronPercent(%q) = %q, %d; want %q, %d", tt.text, cmd, at, tt.cmd, tt.at)
		}
	}
}

// TestUserField checks when a user crontab's line looks like a system
// crontab's. Mutations caught: the second word not looked at (mail -s ...
// flagged); a system line's own user field flagged; isUser ignored.
func TestUserField(t *testing.T) {
	users := map[string]bool{"root": true, "backup": true, "mail": true}
	isUser := func(n string) bool { return users[n] }
	for _, tc := range []struct {
		line   string
		system bool
		want   string
	}{
		{"0 4 * * * root /usr/local/bin/cleanup.sh", false, "root"},
		{"17 * * * * root\tcd / && run-parts --report /etc/cron.hourly", false, "root"},
		{"0 0 1 * * mail -s report ops@example.com", false, ""},
		{"0 0 1 * * backup /srv", false, "backup"},
		{"0 0 1 * * nobody /usr/bin/true", false, ""},
		{"0 0 1 * * root", false, ""},
		{"0 4 * * * root /usr/local/bin/cleanup.sh", true, ""},
		{"0 4 * * * /usr/local/bin/cleanup.sh root", false, ""},
	} {
		if got := parseLine(1, tc.line, tc.system).UserField(isUser); got != tc.want {
			t.Errorf("UserField(%q, system %v) = %q, want %q", tc.line, tc.system, got, tc.want)
		}
	}
}

// TestArgvMonitored: words run under opkuma run by the crontab rule,
// global options and runners before it included; a word with spaces, a %
// or a quote stays one word. Catches: the words joined unquoted (the
// "opkuma run" inside one argument read as a call), % left bare.
func TestArgvMonitored(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want bool
	}{
		{[]string{"/usr/local/bin/opkuma", "run", "--url-file", "/etc/opkuma/a.url", "--", "/usr/bin/backup"}, true},
		{[]string{"/usr/bin/nice", "-n", "10", "opkuma", "-v", "run", "--", "true"}, true},
		{[]string{"/bin/sh", "-c", "opkuma run -- true"}, false},
		{[]string{"/usr/bin/date", "+%F", "opkuma run"}, false},
		{[]string{"/usr/bin/backup"}, false},
	} {
		if got := ArgvMonitored(tc.argv); got != tc.want {
			t.Errorf("ArgvMonitored(%q) = %v, want %v", tc.argv, got, tc.want)
		}
	}
}
