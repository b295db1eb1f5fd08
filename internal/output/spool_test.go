package output

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestSpoolReplay(t *testing.T) {
	for _, memLimit := range []int{1 << 20, 16} { // in memory; spilled to a file
		dir := t.TempDir()
		s := NewSpool(memLimit, dir)
		var wantOut, wantErr, wantAll strings.Builder
		for i := range 50 {
			line := strings.Repeat(string(rune('a'+i%26)), i) + "\n"
			w, want := s.Stdout(), &wantOut
			if i%3 == 0 {
				w, want = s.Stderr(), &wantErr
			}
			if n, err := w.Write([]byte(line)); n != len(line) || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
			want.WriteString(line)
			wantAll.WriteString(line)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 0 {
			t.Errorf("limit %d: temporary file still has a name: %v", memLimit, entries)
		}
		var out, errOut bytes.Buffer
		if err := s.Replay(&out, &errOut); err != nil {
			t.Fatal(err)
		}
		if out.String() != wantOut.String() || errOut.String() != wantErr.String() {
			t.Errorf("limit %d: replay differs", memLimit)
		}
		// Both streams to one writer: the order they were written in.
		var all bytes.Buffer
		if err := s.Replay(&all, &all); err != nil {
			t.Fatal(err)
		}
		if all.String() != wantAll.String() {
			t.Errorf("limit %d: merged replay out of order", memLimit)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
}

func TestSpoolCannotSpill(t *testing.T) {
	s := NewSpool(16, "/nonexistent-opkuma-dir")
	s.Stdout().Write([]byte("kept\n"))
	if n, err := s.Stdout().Write([]byte("this goes past the limit\n")); n != 25 || err != nil {
		t.Fatalf("Write must not fail: %d, %v", n, err)
	}
	var out bytes.Buffer
	err := s.Replay(&out, &out)
	if out.String() != "kept\n" {
		t.Errorf("replayed %q", out.String())
	}
	if err == nil || !strings.Contains(err.Error(), "25 bytes of output lost") {
		t.Errorf("error %v, want one that counts the lost bytes", err)
	}
}
