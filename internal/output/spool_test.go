package output

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// chunk is a stretch of one stream's replayed output.
type chunk struct {
	stream byte
	b      string
}

// recorder records a replay as chunks, merging consecutive ones of a stream.
type recorder struct{ chunks []chunk }

func (r *recorder) writer(stream byte) writerFunc {
	return func(p []byte) (int, error) {
		if n := len(r.chunks); n > 0 && r.chunks[n-1].stream == stream {
			r.chunks[n-1].b += string(p)
		} else if len(p) > 0 {
			r.chunks = append(r.chunks, chunk{stream, string(p)})
		}
		return len(p), nil
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func replay(t testing.TB, s *Spool) []chunk {
	var r recorder
	if err := s.Replay(r.writer(1), r.writer(2)); err != nil {
		t.Fatal(err)
	}
	return r.chunks
}

func note(n int) string { return "opkuma: " + strconv.Itoa(n) + " bytes of output left out here\n" }

// The head and the tail are kept, in order and each in its stream, and
// what lies between is counted on stderr. Mutations caught: the note's
// count taken from the total (row "gap"), the tail's runs not pruned
// (row "tail starts in the other stream": a stray chunk), the head's last
// line not ended (row "head ends mid-line"), the note written when nothing
// was left out (row "exactly head and tail").
func TestSpoolKeepsHeadAndTail(t *testing.T) {
	type w struct {
		stream byte
		s      string
	}
	for _, tc := range []struct {
		name       string
		head, tail int
		writes     []w
		want       []chunk
	}{
		{"all kept", 8, 8, []w{{1, "out\n"}, {2, "err\n"}, {1, "x\n"}},
			[]chunk{{1, "out\n"}, {2, "err\n"}, {1, "x\n"}}},
		{"exactly head and tail", 4, 4, []w{{1, "abc\n"}, {1, "def\n"}},
			[]chunk{{1, "abc\ndef\n"}}},
		{"gap", 4, 4, []w{{1, "abc\n0123456789"}, {1, "def\n"}},
			[]chunk{{1, "abc\n"}, {2, note(10)}, {1, "def\n"}}},
		{"head ends mid-line", 4, 3, []w{{1, "abcdefgh\n"}},
			[]chunk{{1, "abcd\n"}, {2, note(2)}, {1, "gh\n"}}},
		{"tail starts in the other stream", 4, 4, []w{{1, "abc\n"}, {2, "lost\n"}, {1, "gone\n"}, {2, "e\n"}, {1, "o\n"}},
			[]chunk{{1, "abc\n"}, {2, note(10) + "e\n"}, {1, "o\n"}}},
		{"tail cuts into a run", 2, 3, []w{{2, "e\n"}, {1, "123456"}},
			[]chunk{{2, "e\n" + note(3)}, {1, "456"}}},
		{"empty writes", 2, 2, []w{{1, ""}, {2, ""}, {1, "a"}},
			[]chunk{{1, "a"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSpool(tc.head, tc.tail)
			for _, w := range tc.writes {
				out := s.Stdout()
				if w.stream == 2 {
					out = s.Stderr()
				}
				if n, err := out.Write([]byte(w.s)); n != len(w.s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if got := replay(t, s); !equalChunks(got, tc.want) {
				t.Errorf("replay\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// Past maxRuns changes of stream, the head ends early and the tail keeps
// only the last maxRuns runs: memory stays bounded whatever the job
// does. Mutation caught: the tail's run cap removed (three runs replayed).
func TestSpoolRunCap(t *testing.T) {
	s := NewSpool(100, 100)
	s.maxRuns = 2
	for _, p := range []string{"a", "B", "c", "D", "e", "F", "g"} {
		w := s.Stdout()
		if p == strings.ToUpper(p) {
			w = s.Stderr()
		}
		w.Write([]byte(p))
	}
	want := []chunk{{1, "a"}, {2, "B\n" + note(3)}, {2, "F"}, {1, "g"}}
	if got := replay(t, s); !equalChunks(got, want) || len(s.tailRuns) > 2 {
		t.Errorf("replay %q (%d tail runs), want %q", got, len(s.tailRuns), want)
	}
}

func equalChunks(a, b []chunk) bool {
	// Merge b as the recorder does, so that wants may be written plainly.
	var m recorder
	for _, c := range b {
		m.writer(c.stream)([]byte(c.b))
	}
	if len(a) != len(m.chunks) {
		return false
	}
	for i := range a {
		if a[i] != m.chunks[i] {
			return false
		}
	}
	return true
}

// A failing writer ends the replay with its error.
func TestSpoolReplayError(t *testing.T) {
	s := NewSpool(4, 4)
	s.Stdout().Write([]byte("0123456789"))
	boom := errors.New("boom")
	err := s.Replay(writerFunc(func(p []byte) (int, error) { return 0, boom }), &bytes.Buffer{})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
}

// FuzzSpool checks what a Spool keeps against a model that sees all the
// output at once: the first head bytes (fewer if the stream changed more
// than maxRuns times in them), the last tail bytes past those (from the
// last maxRuns runs at most), and a note of the gap.
func FuzzSpool(f *testing.F) {
	f.Add([]byte{4, 4, 2, 0x03, 'a', 'b', '\n', 0x82, 'x', 'y', 0x05, '1', '2', '3', '4', '5'})
	f.Add([]byte{1, 1, 1, 0x81, 'a', 0x01, 'b', 0x81, 'c', 0x01, 'd'})
	f.Add([]byte{16, 3, 8, 0x7f})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 3 {
			return
		}
		head, tail, runs := int(in[0]%16)+1, int(in[1]%16)+1, int(in[2]%4)+1
		s := NewSpool(head, tail)
		s.maxRuns = runs
		var data, streams []byte
		for in = in[3:]; len(in) > 0; {
			stream, n := byte(1), int(in[0]&0x7f)
			if in[0]&0x80 != 0 {
				stream = 2
			}
			in = in[1:]
			n = min(n, len(in))
			w := s.Stdout()
			if stream == 2 {
				w = s.Stderr()
			}
			w.Write(in[:n])
			data = append(data, in[:n]...)
			streams = append(streams, bytes.Repeat([]byte{stream}, n)...)
			in = in[n:]
		}
		want := spoolModel(data, streams, head, tail, runs)
		if got := replay(t, s); !equalChunks(got, want) {
			t.Fatalf("head %d tail %d runs %d, data %q streams %v\n got %q\nwant %q", head, tail, runs, data, streams, got, want)
		}
	})
}

func spoolModel(data, streams []byte, head, tail, maxRuns int) []chunk {
	total := len(data)
	var starts []int
	for i := range data {
		if i == 0 || streams[i] != streams[i-1] {
			starts = append(starts, i)
		}
	}
	headEnd := min(head, total)
	if len(starts) > maxRuns && starts[maxRuns] < headEnd {
		headEnd = starts[maxRuns]
	}
	var r recorder
	emit := func(from, to int) {
		for i := from; i < to; i++ {
			r.writer(streams[i])(data[i : i+1])
		}
	}
	emit(0, headEnd)
	if headEnd == total {
		return r.chunks
	}
	start := max(headEnd, total-tail)
	tailStarts := []int{headEnd}
	for _, s := range starts {
		if s > headEnd {
			tailStarts = append(tailStarts, s)
		}
	}
	var overlapping []int
	for i, s := range tailStarts {
		end := total
		if i+1 < len(tailStarts) {
			end = tailStarts[i+1]
		}
		if end > start {
			overlapping = append(overlapping, s)
		}
	}
	if len(overlapping) > maxRuns {
		start = overlapping[len(overlapping)-maxRuns]
	}
	if start > headEnd {
		if headEnd > 0 && data[headEnd-1] != '\n' {
			r.writer(streams[headEnd-1])([]byte("\n"))
		}
		r.writer(2)([]byte(note(start - headEnd)))
	}
	emit(start, total)
	return r.chunks
}
