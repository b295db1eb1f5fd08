package cmd

import (
	"io"
	"regexp"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/clidoc"
)

// TestCompletionNames holds the completion templates' assumption: command
// names, flag names and argument words are plain words, so they go into the
// scripts unescaped (fish, zsh) or between double quotes (bash).
func TestCompletionNames(t *testing.T) {
	word := regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	app := newApp(Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	app.Setup()
	words := clidoc.Words(app)
	for _, w := range words {
		if w != "" && !word.MatchString(w) {
			t.Errorf("%q is not a plain word (a-z, 0-9, -): the completion templates would need to escape it", w)
		}
	}
	if len(words) < 20 {
		t.Fatalf("clidoc.Words read %d words: want the commands' and flags'", len(words))
	}
}

// TestHelpFiles: every command has its long help from clidoc, and every
// help file is some command's. Catches: a help file left behind when its
// command is renamed or dropped.
func TestHelpFiles(t *testing.T) {
	app := newApp(Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	used := map[string]bool{app.Description: true}
	var walk func(cmds []*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			used[c.Description] = true
			walk(c.Subcommands)
		}
	}
	walk(app.Commands)
	for _, path := range clidoc.HelpFiles() {
		if !used[clidoc.Help(path)] {
			t.Errorf("help/%s.txt is no command's Description", path)
		}
	}
}
