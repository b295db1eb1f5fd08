package crontab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, text string) []Line {
	t.Helper()
	lines, err := Parse(strings.NewReader(text), false)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// Mutations caught: ignoring CRON_TZ, keeping a zone that does not load,
// resetting the zone on each line.
func TestZones(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	lines := parse(t, "0 * * * * a\nCRON_TZ=Europe/Paris\n0 * * * * b\nCRON_TZ=Nowhere/Else\n0 * * * * c\n")
	got := Zones(lines, time.UTC)
	want := []*time.Location{time.UTC, paris, paris, paris, paris}
	for i := range want {
		if got[i].String() != want[i].String() {
			t.Errorf("line %d: zone %v, want %v", i+1, got[i], want[i])
		}
	}
}

// Mutations caught: the first PATH= instead of the last, no default.
func TestPathOf(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"0 * * * * a\n", DefaultPath},
		{"PATH=/a\nPATH=/b:/c\n0 * * * * a\n", "/b:/c"},
		{"HOME=/x\n", DefaultPath},
	} {
		if got := PathOf(parse(t, c.text)); got != c.want {
			t.Errorf("PathOf(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// Mutations caught: each rule of cron.d's file names dropped or inverted.
func TestCronReads(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"backup":               true,
		"backup.dpkg-old":      false,
		"backup.rpmsave":       false,
		"backup~":              false,
		".hidden":              false,
		"sub":                  false,
		"missing-is-not-a-dir": true,
	} {
		if got := CronReads(filepath.Join(dir, name)); got != want {
			t.Errorf("CronReads(%s) = %v, want %v", name, got, want)
		}
	}
}

// Mutations caught: a relative PATH entry accepted, the last PATH= not
// used, a later PATH entry taken although sh runs an earlier file of the
// same name (a bug found by this test), no quoting.
func TestCaller(t *testing.T) {
	dir := t.TempDir()
	bin, other, spaced := filepath.Join(dir, "bin"), filepath.Join(dir, "other"), filepath.Join(dir, "my bin")
	for _, d := range []string{bin, other, spaced} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "opkuma"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(bin, "opkuma")
	t.Chdir(dir)
	for _, c := range []struct {
		text, exe, want string
	}{
		{"PATH=" + bin + "\n", exe, "opkuma"},
		{"PATH=" + other + ":" + bin + "\n", exe, exe}, // sh would run other's
		{"PATH=/nonexistent:" + bin + "\n", exe, "opkuma"},
		{"PATH=" + other + "\n", exe, exe},
		{"PATH=" + bin + "\nPATH=/usr/bin\n", exe, exe},
		{"PATH=bin\n", exe, exe}, // relative to the home directory, not here
		{"", exe, exe},
		{"PATH=" + other + "\n", filepath.Join(spaced, "opkuma"), "'" + filepath.Join(spaced, "opkuma") + "'"},
		{"", filepath.Join(bin, "opkuma.test"), "opkuma"},
	} {
		if got := Caller(parse(t, c.text), c.exe, "opkuma"); got != c.want {
			t.Errorf("Caller(%q, %s) = %q, want %q", c.text, c.exe, got, c.want)
		}
	}
}

// Mutations caught: quoting a plain word, not quoting a blank or a $,
// quoting the ~/ that sh must expand.
func TestQuoteWord(t *testing.T) {
	for w, want := range map[string]string{
		"/etc/opkuma/job.url":  "/etc/opkuma/job.url",
		"/srv/my jobs/a.url":   "'/srv/my jobs/a.url'",
		"$HOME/a.url":          "'$HOME/a.url'",
		"~/.config/opkuma/url": "~/.config/opkuma/url",
		"~/my url":             "~/'my url'",
		"~user/a":              "'~user/a'",
		"it's":                 `'it'\''s'`,
		"":                     "''",
	} {
		if got := QuoteWord(w); got != want {
			t.Errorf("QuoteWord(%q) = %q, want %q", w, got, want)
		}
	}
}

// TestHomeDir reads this machine's user database, where root has a home
// and the current user is known. Mutations caught: Lookup's error dropped
// (an empty home for a user who does not exist); "" looked up by name.
func TestHomeDir(t *testing.T) {
	if _, err := os.Stat("/etc/passwd"); err != nil {
		t.Skip(err)
	}
	if home, err := HomeDir("root"); err != nil || !filepath.IsAbs(home) {
		t.Errorf("HomeDir(root) = %q, %v; want an absolute path", home, err)
	}
	if home, err := HomeDir(""); err != nil || !filepath.IsAbs(home) {
		t.Errorf("HomeDir(\"\") = %q, %v; want the current user's home", home, err)
	}
	if home, err := HomeDir("opkuma-no-such-user"); err == nil {
		t.Errorf("HomeDir(opkuma-no-such-user) = %q, want an error", home)
	}
}
