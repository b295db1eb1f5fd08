package provision

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Catches: a url-file left with the old file's mode, not replaced, rewritten
// when unchanged, or a temporary file left behind.
func TestWriteURLFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.url")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		changed, err := WriteURLFile(path, "https://k/api/push/T\n")
		if err != nil || changed != want {
			t.Errorf("write %d: changed %v, %v; want %v", i+1, changed, err, want)
		}
	}
	fi, _ := os.Stat(path)
	b, _ := os.ReadFile(path)
	if fi.Mode().Perm() != 0o600 || string(b) != "https://k/api/push/T\n" {
		t.Errorf("%s: mode %04o, %q", path, fi.Mode().Perm(), b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if changed, err := WriteURLFile(path, "https://k/api/push/T\n"); err != nil || !changed {
		t.Errorf("same content, mode 0640: changed %v, %v; want rewritten", changed, err)
	}
}

// Catches: a line end dropped or added, the wrong line replaced.
func TestReplaceLines(t *testing.T) {
	for _, tc := range []struct {
		in   string
		text map[int]string
		want string
	}{
		{"a\nb\nc\n", map[int]string{2: "B"}, "a\nB\nc\n"},
		{"a\r\nb", map[int]string{2: "B"}, "a\r\nB"},
		{"a\nb\n", map[int]string{1: "A", 2: "B"}, "A\nB\n"},
	} {
		if got := string(ReplaceLines([]byte(tc.in), tc.text)); got != tc.want {
			t.Errorf("ReplaceLines(%q, %v) = %q, want %q", tc.in, tc.text, got, tc.want)
		}
	}
}

// Catches: a crontab changed since it was read overwritten; no backup, or
// one without the file's content or mode; the link replaced instead of the
// file it points to.
func TestInstallFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jobs")
	if err := os.WriteFile(path, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	var ce *ChangedError
	if _, err := InstallFile(link, []byte("other\n"), []byte("new\n")); !errors.As(err, &ce) || ce.Name != link {
		t.Errorf("changed: %v, want *ChangedError", err)
	}
	backup, err := InstallFile(link, []byte("old\n"), []byte("new\n"))
	if err != nil || backup != path+"~" {
		t.Fatalf("install: %q, %v", backup, err)
	}
	for file, want := range map[string]string{path: "new\n", backup: "old\n"} {
		b, _ := os.ReadFile(file)
		fi, _ := os.Stat(file)
		if string(b) != want || fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: %q, mode %04o; want %q, 0640", file, b, fi.Mode().Perm(), want)
		}
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced")
	}
}

// TestChangedErrorMessage: the message names the file, or the user's
// crontab when there is none.
func TestChangedErrorMessage(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"", "the user's crontab changed since it was read"},
		{"/etc/cron.d/jobs", "/etc/cron.d/jobs changed since it was read"},
	} {
		if got := (&ChangedError{Name: tc.name}).Error(); got != tc.want {
			t.Errorf("ChangedError{%q}: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Catches: a user's crontab changed since it was read replaced; no backup
// of the old one, or not with mode 0600; the new one not given to
// crontab -.
func TestInstallUserCrontab(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	script := "#!/bin/sh\ncase \"$1\" in -l) cat \"" + store + "\";; -) cat > \"" + store + "\";; *) exit 2;; esac\n"
	if err := os.WriteFile(filepath.Join(dir, "crontab"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+":"+os.Getenv("PATH"))
	if err := os.WriteFile(store, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var ce *ChangedError
	if _, err := InstallUserCrontab([]byte("other\n"), []byte("new\n"), dir, now); !errors.As(err, &ce) || ce.Name != "" {
		t.Errorf("changed: %v, want *ChangedError", err)
	}
	backup, err := InstallUserCrontab([]byte("old\n"), []byte("new\n"), dir, now)
	if err != nil || backup != filepath.Join(dir, "crontab-20260102-030405.bak") {
		t.Fatalf("install: %q, %v", backup, err)
	}
	b, _ := os.ReadFile(backup)
	fi, _ := os.Stat(backup)
	if s, _ := os.ReadFile(store); string(s) != "new\n" || string(b) != "old\n" || fi.Mode().Perm() != 0o600 {
		t.Errorf("crontab %q, backup %q mode %04o", s, b, fi.Mode().Perm())
	}
}
