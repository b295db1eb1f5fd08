package report

import (
	"errors"
	"strings"
	"testing"
)

// TestLines: the lines every audit prints, tokens hidden, and nothing
// after a failed write. Catches: Redact dropped, an empty note written,
// writing on after an error.
func TestLines(t *testing.T) {
	var b strings.Builder
	l := To(&b)
	l.Interval("f:3", 95040, 86400)
	l.Note("f:3", "")
	l.Note("f:3", "check it")
	l.Problem("f:3", "push URL https://k/api/push/AbC123x on the line", "use --url-file")
	want := `f:3: interval: set the monitor's Heartbeat Interval to 95040 s (largest gap 86400 s + margin)
f:3: note: check it
f:3: problem: push URL https://k/api/push/**** on the line; fix: use --url-file
`
	if b.String() != want || l.Err() != nil {
		t.Errorf("lines:\n%s\nwant:\n%s(err %v)", b.String(), want, l.Err())
	}
	fw := &failing{}
	l = To(fw)
	l.Printf("one")
	l.Printf("two")
	if fw.calls != 1 || l.Err() == nil {
		t.Errorf("after a failed write: %d writes, err %v; want 1 and the error", fw.calls, l.Err())
	}
}

type failing struct{ calls int }

func (f *failing) Write([]byte) (int, error) { f.calls++; return 0, errors.New("disk full") }

// TestList: at most most items, then how many more. Catches: an
// off-by-one in the count left out.
func TestList(t *testing.T) {
	items := []string{"1", "2", "3", "4"}
	for most, want := range map[int]string{4: "1, 2, 3, 4", 10: "1, 2, 3, 4", 2: "1, 2, ... (2 more)"} {
		if got := List(items, most); got != want {
			t.Errorf("List(%d) = %q, want %q", most, got, want)
		}
	}
	if Plural(1, "job", "jobs") != "1 job" || Plural(0, "job", "jobs") != "0 jobs" {
		t.Error("Plural")
	}
}
