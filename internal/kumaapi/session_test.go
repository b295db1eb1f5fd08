package kumaapi

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadSecret: the first line, without its ending; a FIFO is refused
// at once (not waited on), and so is a file group or others can read, or
// one whose first line is empty.
//
// Catches: O_NONBLOCK dropped (the FIFO case hangs), the mode check
// dropped, the \r kept.
func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want, wantErr string
	}{
		{write("pass", "s3cret x\r\nsecond\n", 0o600), "s3cret x", ""},
		{write("nonl", "#not a comment", 0o400), "#not a comment", ""},
		{write("open", "s3cret\n", 0o644), "", "readable by group or others (mode 0644)"},
		{write("empty", "\nlater\n", 0o600), "", "the first line is empty"},
		{fifo, "", "not a regular file (a FIFO)"},
		{filepath.Join(dir, "missing"), "", "no such file"},
	} {
		got, err := ReadSecret(tc.path)
		if got != tc.want || (tc.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ReadSecret(%s) = %q, %v; want %q, error with %q", filepath.Base(tc.path), got, err, tc.want, tc.wantErr)
		}
	}
}

// TestPushURL: the token goes after the server's path prefix, once
// slashed. Catches: the prefix dropped, a double slash after a base that
// ends in /.
func TestPushURL(t *testing.T) {
	for base, want := range map[string]string{
		"https://kuma.example.com":        "https://kuma.example.com/api/push/Tok",
		"https://example.com/kuma/":       "https://example.com/kuma/api/push/Tok",
		"http://127.0.0.1:3001/sub/kuma/": "http://127.0.0.1:3001/sub/kuma/api/push/Tok",
	} {
		if got, err := PushURL(base, "Tok"); got != want || err != nil {
			t.Errorf("PushURL(%q) = %q, %v; want %q", base, got, err, want)
		}
	}
	if _, err := PushURL("kuma.example.com", "Tok"); err == nil {
		t.Error("PushURL of a base without a scheme: no error")
	}
}
