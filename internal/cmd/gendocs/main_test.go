package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	starts := map[string]string{
		"completions/opkuma.bash": "# bash completion for opkuma",
		"completions/_opkuma":     "#compdef opkuma",
		"completions/opkuma.fish": "# fish completion for opkuma",
	}
	for path, want := range starts {
		data, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), want) {
			t.Errorf("%s starts %.40q, want %q", path, data, want)
		}
	}
	gz, err := os.ReadFile(filepath.Join(dir, "man/opkuma.1.gz"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "" || !r.ModTime.IsZero() {
		t.Errorf("gzip header has name %q, time %v: want neither, for reproducible packages", r.Name, r.ModTime)
	}
	man, _ := io.ReadAll(r)
	if !bytes.HasPrefix(man, []byte(".TH OPKUMA 1 ")) || !bytes.Contains(man, []byte(`.SS "opkuma run"`)) {
		t.Errorf("man page starts %.60q, want .TH OPKUMA 1 and every command", man)
	}
}
