package runner

import (
	"bytes"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTail(t *testing.T) {
	tests := []struct {
		name   string
		size   int
		writes []string
		want   string
	}{
		{"empty", 8, nil, ""},
		{"short", 8, []string{"abc"}, "abc"},
		{"exactly full", 4, []string{"abcd"}, "abcd"},
		{"wraps", 4, []string{"abc", "def"}, "cdef"},
		{"one big write", 4, []string{"0123456789"}, "6789"},
		{"many small", 3, []string{"a", "b", "c", "d", "e"}, "cde"},
		{"full then more", 4, []string{"abcd", "e"}, "bcde"},
		{"empty writes", 4, []string{"", "ab", "", "cd", ""}, "abcd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := NewTail(tt.size)
			for _, w := range tt.writes {
				if n, err := tl.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if got := string(tl.Bytes()); got != tt.want {
				t.Errorf("Bytes() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTailLastLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"one", "one"},
		{"a\nb\n", "b"},
		{"a\nb\n\n  \n", "b"},
		{"progress 10%\rprogress 100%\r\n", "progress 100%"},
		{"  padded  \n", "padded"},
		{"\n\n", ""},
	}
	for _, tt := range tests {
		tl := NewTail(64)
		tl.Write([]byte(tt.in))
		if got := tl.LastLine(); got != tt.want {
			t.Errorf("LastLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFailureMessage(t *testing.T) {
	tail := func(s string) *Tail {
		tl := NewTail(DefaultTailSize)
		tl.Write([]byte(s))
		return tl
	}
	tests := []struct {
		name           string
		r              Result
		stderr, stdout *Tail
		want           string
	}{
		{"stderr wins", Result{ExitCode: 3}, tail("boom\n"), tail("out\n"), "exit 3: boom"},
		{"stdout when stderr empty", Result{ExitCode: 3}, tail("\n"), tail("out\n"), "exit 3: out"},
		{"no output", Result{ExitCode: 1}, tail(""), tail(""), "exit 1"},
		{"no tails", Result{ExitCode: 1}, nil, nil, "exit 1"},
		{"signal", Result{ExitCode: 143, Signal: syscall.SIGTERM}, tail("x"), nil, "killed by SIGTERM"},
		{"timeout", Result{ExitCode: 124, TimedOut: true, Timeout: 5 * time.Minute}, tail("x"), nil, "timed out after 5m"},
		{"not found", Result{ExitCode: 127, Err: errors.New("x: command not found")}, nil, nil, "command not found"},
		{"control chars", Result{ExitCode: 2}, tail("a\x1b[31mred\x1b[0m\tz\n"), nil, "exit 2: a[31mred[0m z"},
		{"invalid utf-8", Result{ExitCode: 2}, tail("caf\xe9\n"), nil, "exit 2: caf\uFFFD"},
		{"capped", Result{ExitCode: 2}, tail(strings.Repeat("é", 400)), nil, "exit 2: " + strings.Repeat("é", 239) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FailureMessage(tt.r, tt.stderr, tt.stdout); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute: "5m", 90 * time.Minute: "1h30m", 2 * time.Hour: "2h", 1500 * time.Millisecond: "1.5s",
		time.Hour + time.Second: "1h0m1s",
	} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// FuzzTail checks the ring against the obvious model: the last size bytes
// of everything written.
func FuzzTail(f *testing.F) {
	f.Add([]byte("hello world"), uint8(4), uint8(3))
	f.Add([]byte{}, uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, size, chunk uint8) {
		if size == 0 || chunk == 0 {
			return
		}
		tl := NewTail(int(size))
		for i := 0; i < len(data); i += int(chunk) {
			tl.Write(data[i:min(i+int(chunk), len(data))])
		}
		want := data[max(0, len(data)-int(size)):]
		if got := tl.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("Bytes() = %q, want %q", got, want)
		}
	})
}

func BenchmarkTailWrite(b *testing.B) {
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 2048) // 32 KiB, as exec copies
	tl := NewTail(DefaultTailSize)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		tl.Write(chunk)
	}
}

func BenchmarkTailWriteSmall(b *testing.B) {
	line := []byte("a typical log line of some eighty bytes, as a job prints them one by one......\n")
	tl := NewTail(DefaultTailSize)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		tl.Write(line)
	}
}
