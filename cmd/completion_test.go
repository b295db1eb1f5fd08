package cmd

import (
	"io"
	"regexp"
	"testing"
)

// TestCompletionNames holds the completion templates' assumption: command
// names, flag names and argument words are plain words, so they go into the
// scripts unescaped (fish, zsh) or between double quotes (bash).
func TestCompletionNames(t *testing.T) {
	word := regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	app := newApp(Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	app.Setup()
	spec := completionSpec(app)
	for _, c := range append([]compCommand{spec.App}, spec.Commands...) {
		var all []string
		if c.Path != "" {
			all = append(all, c.Name(), c.Parent())
		}
		all = append(all, c.SubNames()...)
		all = append(all, c.Words...)
		for _, f := range c.Flags {
			all = append(all, f.Names...)
		}
		for _, w := range all {
			if w != "" && !word.MatchString(w) {
				t.Errorf("command %q: %q is not a plain word (a-z, 0-9, -): the completion templates would need to escape it", c.Path, w)
			}
		}
	}
	if len(spec.Commands) == 0 || len(spec.App.Flags) == 0 {
		t.Fatalf("completionSpec read %d commands and %d app flags: want some of each", len(spec.Commands), len(spec.App.Flags))
	}
}
