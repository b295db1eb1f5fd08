package provision

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/pusher"
)

var opkuma = crontab.Wrapper{Name: "opkuma", Run: "run",
	URLOptions: []string{"--url", "-url"}, URLFileOptions: []string{"--url-file", "-url-file"}, URLVariables: []string{"OPKUMA_URL"}}

// Catches: each way of naming the push URL missed, a flag of the job (after
// --) read as opkuma's, ~ or $HOME not expanded in a url-file path, the
// precedence URL > file > variable, a url-file's error not passed on.
func TestJobToken(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "j.url"), []byte("# mine\nhttps://k/api/push/FromFile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	}
	for _, tc := range []struct {
		cmd  string
		vars map[string]string
		want string // token, or "error"
	}{
		{"opkuma run --url https://k/api/push/Abc -- x", nil, "Abc"},
		{"opkuma run --url=https://k/api/push/Abc -- x", nil, "Abc"},
		{"opkuma run -url https://k/api/push/Abc -- x", nil, "Abc"},
		{"/usr/local/bin/opkuma run -v --url-file ~/j.url -- x --url https://k/api/push/Job", nil, "FromFile"},
		{"opkuma run --url-file=$HOME/j.url -- x", nil, "FromFile"},
		{"OPKUMA_URL=https://k/api/push/Env opkuma run -- x", nil, "Env"},
		{"OPKUMA_URL=https://k/api/push/Env opkuma run --url-file ~/j.url -- x", nil, "FromFile"},
		{"opkuma run --url-file ~/j.url --url https://k/api/push/Abc -- x", nil, "Abc"},
		{"opkuma run -- x", map[string]string{"OPKUMA_URL": "https://k/api/push/Tab"}, "Tab"},
		{"opkuma run -- x --url https://k/api/push/Job", nil, "error"},
		{"opkuma run --url-file /nonexistent -- x", nil, "error"},
		{"opkuma run --url https://k/api/nope/X -- x", nil, "error"},
		// Mutations: words read past their end when the line is only
		// assignments, has no "--", or ends with a URL option.
		{"OPKUMA_URL=https://k/api/push/Env", nil, "Env"},
		{"", map[string]string{"OPKUMA_URL": "https://k/api/push/Tab"}, "Tab"},
		{"opkuma run -v", map[string]string{"OPKUMA_URL": "https://k/api/push/Tab"}, "Tab"},
		{"opkuma run --url", map[string]string{"OPKUMA_URL": "https://k/api/push/Tab"}, "Tab"},
		{"opkuma run -v --url https://k/api/push/Last", nil, "Last"},
	} {
		got, err := JobToken(tc.cmd, tc.vars, getenv, opkuma)
		if err != nil {
			got = "error"
		}
		if got != tc.want {
			t.Errorf("JobToken(%q) = %q (%v), want %q", tc.cmd, got, err, tc.want)
		}
	}
	if _, err := JobToken("opkuma run -- x", nil, getenv, opkuma); !errors.Is(err, ErrNoPushURL) {
		t.Errorf("no URL: %v, want ErrNoPushURL", err)
	}
	var fe *pusher.URLFileError
	if _, err := JobToken("opkuma run --url-file /nonexistent -- x", nil, getenv, opkuma); !errors.As(err, &fe) || fe.Path != "/nonexistent" {
		t.Errorf("missing url-file: %v, want *pusher.URLFileError", err)
	}
}

// Catches: a wrapped line's token not taken, or a token of a line not
// under the wrapper taken; the crontab's variables not used.
func TestTakenTokens(t *testing.T) {
	lines, err := crontab.Parse(strings.NewReader("OPKUMA_URL=https://k/api/push/Var\n"+
		"* * * * * opkuma run --url https://k/api/push/Mine -- x\n"+
		"* * * * * opkuma run -- y\n"+
		"* * * * * curl https://k/api/push/NotOurs\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	got := TakenTokens(lines, func(string) string { return "" }, opkuma)
	if len(got) != 2 || !got["Mine"] || !got["Var"] {
		t.Errorf("TakenTokens = %v, want Mine and Var", got)
	}
}
