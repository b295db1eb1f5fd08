package cmd

import (
	"strings"
	"testing"
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
		got := strings.ReplaceAll(strings.Join(flagsFirst(app, in), " "), "0 * * * *", "0_*_*_*_*")
		if got != tt.want {
			t.Errorf("flagsFirst(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}
