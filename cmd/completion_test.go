package cmd

import (
	"io"
	"regexp"
	"testing"

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
