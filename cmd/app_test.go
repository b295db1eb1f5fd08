package cmd

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/cliflag"
)

func TestFlagsFirst(t *testing.T) {
	app := newApp(Env{})
	tests := []struct{ in, want string }{
		// interval: flags after the schedule move before it, with their values.
		{"opkuma interval 0_*_*_*_* --runtime 1m --margin 1m", "opkuma interval --runtime 1m --margin 1m -- 0_*_*_*_*"},
		{"opkuma interval 0_*_*_*_* --explain --tz UTC", "opkuma interval --explain --tz UTC -- 0_*_*_*_*"},
		{"opkuma interval --runtime=1m 0_*_*_*_* --explain", "opkuma interval --runtime=1m --explain -- 0_*_*_*_*"},
		{"opkuma interval 0 9 * * 1-5 --explain", "opkuma interval --explain -- 0 9 * * 1-5"},
		// A boolean takes no value: the word after it stays an argument.
		{"opkuma interval --explain @hourly", "opkuma interval --explain -- @hourly"},
		// Top-level flags and subcommands are passed over.
		{"opkuma -v crontab wrap - --line 3 --url-file f", "opkuma -v crontab wrap --line 3 --url-file f -- -"},
		{"opkuma crontab mycrontab --json", "opkuma crontab --json -- mycrontab"},
		{"opkuma crontab --system", "opkuma crontab --system"},
		// After --, nothing is a flag.
		{"opkuma interval --explain -- --runtime", "opkuma interval --explain -- --runtime"},
		// run's arguments are the job's: untouched.
		{"opkuma run --url u -- job --runtime 1m", "opkuma run --url u -- job --runtime 1m"},
		{"opkuma -v run job --timeout 1s", "opkuma -v run job --timeout 1s"},
		{"opkuma", "opkuma"},
		{"opkuma --version", "opkuma --version"},
	}
	for _, tt := range tests {
		in := strings.Fields(tt.in)
		for i := range in {
			in[i] = strings.ReplaceAll(in[i], "_", " ")
		}
		got := strings.ReplaceAll(strings.Join(cliflag.FlagsFirst(app, in), " "), "0 * * * *", "0_*_*_*_*")
		if got != tt.want {
			t.Errorf("flagsFirst(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

// TestHelpPlaceholders checks every flag's help line: a flag that takes a
// value names it (DURATION, FILE, N), never urfave/cli's "value", and says
// its default once (#16: --margin showed two). Mutations caught: the
// backquoted placeholder dropped from --kill-after's usage; DefaultText
// dropped from --margin.
func TestHelpPlaceholders(t *testing.T) {
	app := newApp(Env{Getenv: func(string) string { return "" }})
	var walk func(path string, cmds []*cli.Command)
	walk = func(path string, cmds []*cli.Command) {
		for _, c := range cmds {
			for _, f := range c.Flags {
				line := f.String()
				if strings.Contains(line, " value\t") || strings.HasSuffix(strings.Fields(line)[0], "value") {
					t.Errorf("%s %s: placeholder \"value\": %q", path, c.Name, line)
				}
				if n := strings.Count(line, "(default:"); n > 1 {
					t.Errorf("%s %s: %d defaults: %q", path, c.Name, n, line)
				}
			}
			walk(path+" "+c.Name, c.Subcommands)
		}
	}
	walk("opkuma", app.Commands)
	if got := cliflag.FindCommand(app.Commands, "monitor").UsageText; got != "opkuma monitor COMMAND [options]" {
		t.Errorf("monitor's usage line %q", got)
	}
}
