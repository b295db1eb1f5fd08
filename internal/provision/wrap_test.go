package provision

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestURLDir: the flag's directory, else $XDG_CONFIG_HOME/opkuma when it
// is absolute (the XDG rule), else HOME/.config/opkuma; no home is
// ErrNoURLDir, and a file in the way is refused.
//
// Catches: a relative $XDG_CONFIG_HOME used (the IsAbs check dropped), the
// flag not made absolute, the not-a-directory check dropped.
func TestURLDir(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	home := func() (string, error) { return "/home/u", nil }
	noHome := func() (string, error) { return "", errors.New("none") }
	wd, _ := os.Getwd()
	for _, tc := range []struct {
		dir, xdg string
		home     func() (string, error)
		want     string
		wantErr  bool
	}{
		{"", "", home, "/home/u/.config/opkuma", false},
		{"", "/x/cfg", home, "/x/cfg/opkuma", false},
		{"", "rel/cfg", home, "/home/u/.config/opkuma", false},
		{"urls", "/x/cfg", home, filepath.Join(wd, "urls"), false},
		{"", "", noHome, "", true},
		{file, "", home, "", true},
	} {
		got, err := URLDir(tc.dir, func(string) string { return tc.xdg }, tc.home)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("URLDir(%q, XDG %q) = %q, %v; want %q, error %v", tc.dir, tc.xdg, got, err, tc.want, tc.wantErr)
		}
	}
}
