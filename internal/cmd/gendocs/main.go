// Command gendocs writes opkuma's manual page and shell completions for the
// release packages, from the same command definitions as --help:
//
//	go run ./internal/cmd/gendocs DIR
//
// writes DIR/man/opkuma.1.gz and DIR/completions/opkuma.bash, _opkuma and
// opkuma.fish. It runs opkuma's man and completion commands in-process, so
// the files are what "opkuma man" and "opkuma completion SHELL" print; the
// gzip header carries no name and no time, so a release is reproducible.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opkuma/opkuma/cmd"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendocs DIR")
		os.Exit(2)
	}
	if err := generate(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// files are what generate writes: a path under DIR and the opkuma command
// line that prints it.
var files = []struct {
	path string
	args []string
}{
	{"completions/opkuma.bash", []string{"completion", "bash"}},
	{"completions/_opkuma", []string{"completion", "zsh"}},
	{"completions/opkuma.fish", []string{"completion", "fish"}},
	{"man/opkuma.1.gz", []string{"man"}},
}

func generate(dir string) error {
	for _, f := range files {
		var out, errs bytes.Buffer
		env := cmd.Env{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }}
		if code := cmd.Main(append([]string{"opkuma"}, f.args...), env); code != 0 {
			return fmt.Errorf("opkuma %v: exit %d: %s", f.args, code, errs.String())
		}
		data := out.Bytes()
		if filepath.Ext(f.path) == ".gz" {
			var gz bytes.Buffer
			w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
			if _, err := w.Write(data); err != nil {
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
			data = gz.Bytes()
		}
		path := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
