package output

import (
	"bytes"
	"testing"
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
