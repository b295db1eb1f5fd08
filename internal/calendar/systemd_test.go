package calendar

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// manExamples are the expressions systemd.time(7) shows.
var manExamples = []string{
	"Thu,Fri 2012-*-1,5 11:12:13", "Sat,Thu,Mon..Wed,Sat..Sun", "Mon,Sun 12-*-* 2,1:23",
	"Wed *-1", "Wed..Wed,Wed *-1", "Wed, 17:48", "Wed..Sat,Tue 12-10-15 1:2:3", "*-*-7 0:0:0",
	"10-15", "monday *-12-* 17:00", "Mon,Fri *-*-3,1,2 *:30:45", "12,14,13,12:20,10,30",
	"12..14:10,20,30", "mon,fri *-1/2-1,3 *:30:45", "03-05 08:05:40", "08:05:40", "05:40",
	"Sat,Sun 12-05 08:05:40", "Sat,Sun 08:05:40", "2003-03-05 05:40", "05:40:23.4200004/3.1700005",
	"2003-02..04-05", "2003-03-05 05:40 UTC", "2003-03-05", "03-05", "hourly", "daily", "daily UTC",
	"monthly", "weekly", "weekly Pacific/Auckland", "yearly", "annually", "*:2/3", "minutely",
	"quarterly", "semiannually", "*-02~03", "Mon *-05~07/1", "*-*-* *:*:*",
}

// generate returns n expressions drawn from the grammar by a seeded
// generator; some are invalid on purpose, to compare what is rejected.
func generate(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 1))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	value := func(lo, hi int, width bool) string {
		v := lo + r.IntN(hi-lo+1)
		if width && r.IntN(2) == 0 {
			return fmt.Sprintf("%02d", v)
		}
		return fmt.Sprint(v)
	}
	// list is a component: *, or values, ranges and repetitions.
	list := func(lo, hi int, star int) string {
		if r.IntN(star) == 0 {
			return "*"
		}
		var parts []string
		for range 1 + r.IntN(3) {
			a := lo + r.IntN(hi-lo+1)
			switch r.IntN(5) {
			case 0, 1:
				parts = append(parts, fmt.Sprint(a))
			case 2:
				b := a + r.IntN(hi-a+1)
				parts = append(parts, fmt.Sprintf("%d..%d", a, b))
			case 3:
				parts = append(parts, fmt.Sprintf("%d/%d", a, 1+r.IntN(max(1, (hi-lo)/2))))
			case 4:
				b := a + r.IntN(hi-a+1)
				parts = append(parts, fmt.Sprintf("%d..%d/%d", a, b, 1+r.IntN(max(1, (hi-lo)/3))))
			}
		}
		return strings.Join(parts, ",")
	}
	days := []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "monday", "FRIDAY", "Sunday"}
	var out []string
	for len(out) < n {
		var b strings.Builder
		if r.IntN(8) == 0 {
			b.WriteString(pick("minutely", "hourly", "daily", "weekly", "monthly", "quarterly",
				"semiannually", "yearly", "annually", "Daily", "semi-annually", "biannually"))
		} else {
			if r.IntN(3) == 0 {
				var ws []string
				for range 1 + r.IntN(3) {
					a, c := r.IntN(7), r.IntN(7)
					if r.IntN(2) == 0 {
						ws = append(ws, days[a])
					} else {
						ws = append(ws, days[min(a, c)]+pick("..", "..", "-")+days[max(a, c)])
					}
				}
				b.WriteString(strings.Join(ws, ",") + " ")
			}
			switch r.IntN(6) {
			case 0: // no date
			case 1:
				b.WriteString(list(1, 12, 2) + "-" + list(1, 31, 2) + " ")
			case 2:
				b.WriteString(pick("*", "2027", "2026..2028", "2030/2", "27", "2003", "2026,2029") + "-" + list(1, 12, 2) + "-" + list(1, 28, 3) + " ")
			case 3:
				b.WriteString("*-" + list(1, 12, 2) + "~" + list(1, 7, 4) + " ")
			case 4:
				b.WriteString("*-*-" + list(1, 31, 4) + " ")
			case 5:
				b.WriteString(list(1, 12, 3) + "~" + value(1, 28, true) + " ")
			}
			switch r.IntN(4) {
			case 0:
				b.WriteString(list(0, 23, 3) + ":" + list(0, 59, 3))
			case 1, 2:
				b.WriteString(list(0, 23, 3) + ":" + list(0, 59, 3) + ":" + list(0, 59, 3))
			case 3:
				b.WriteString(value(0, 23, true) + ":" + value(0, 59, true) + ":" +
					pick("05.5", "00/7.5", "10.25,20.75", "0..30/2.5", "59.9999996"))
			}
		}
		if r.IntN(5) == 0 {
			b.WriteString(pick(" UTC", " utc", " Europe/Berlin", " America/New_York", " Asia/Kolkata", " Australia/Lord_Howe"))
		}
		e := strings.TrimSpace(b.String())
		if r.IntN(12) == 0 { // break it
			i := r.IntN(len(e))
			e = e[:i] + pick("x", "..", "/0", ",", "~", "61", ":") + e[i+1:]
		}
		out = append(out, e)
	}
	return out
}

// dstRows straddle daylight-saving changes within their first 20 elapses.
var dstRows = []string{
	"Sun *-*~07 01..03:30 Europe/Berlin",
	"*-03,10~07 0..4:0/30 Europe/Berlin",
	"*-03,04,10,11-* 1..3:15 America/New_York",
	"Sun *-*~07 02:30 Europe/Berlin",
	"*-*-* 1:30 Australia/Lord_Howe",
}

var (
	failedRe = regexp.MustCompile(`(?m)^Failed to parse calendar specification '(.*)': `)
	elapseRe = regexp.MustCompile(`^\s*(?:Next elapse|Iter\. #\d+): (.*)$`)
	normRe   = regexp.MustCompile(`^\s*Normalized form: (.*)$`)
)

// block is what systemd-analyze prints for one expression.
type block struct {
	normalized string
	elapses    []string
}

// analyze runs one systemd-analyze over exprs and returns the expressions it
// rejected and the blocks of the others, in order.
func analyze(t *testing.T, bin string, n int, exprs []string) (map[string]bool, []block) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"calendar", fmt.Sprintf("--iterations=%d", n)}, exprs...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C", "SYSTEMD_COLORS=0", "SYSTEMD_PAGER=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("systemd-analyze: %v", err)
		}
	}
	failed := map[string]bool{}
	for _, m := range failedRe.FindAllStringSubmatch(stderr.String(), -1) {
		failed[m[1]] = true
	}
	var blocks []block
	var cur *block
	for _, line := range strings.Split(stdout.String(), "\n") {
		if m := normRe.FindStringSubmatch(line); m != nil {
			blocks = append(blocks, block{normalized: m[1]})
			cur = &blocks[len(blocks)-1]
		} else if m := elapseRe.FindStringSubmatch(line); m != nil && cur != nil {
			if m[1] != "never" {
				cur.elapses = append(cur.elapses, m[1])
			}
		}
	}
	return failed, blocks
}

// ours returns the normalized form and the first n elapses after now as
// systemd-analyze prints them with TZ=UTC.
func ours(s *Spec, now time.Time, n int) []string {
	var out []string
	t := now
	for range n {
		next, ok := s.Next(t)
		if !ok {
			break
		}
		out = append(out, next.UTC().Format("Mon 2006-01-02 15:04:05 MST"))
		t = next
	}
	return out
}

// TestAgainstSystemd compares Parse, Normalized and Next with
// systemd-analyze calendar, the implementation systemd timers use.
func TestAgainstSystemd(t *testing.T) {
	bin, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	if testing.Short() {
		t.Skip("slow: runs systemd-analyze")
	}
	const n = 20
	exprs := append(append(append([]string{}, manExamples...), dstRows...), generate(400, 20)...)
	for _, row := range regressions {
		exprs = append(exprs, row.expr)
	}
	// Expressions systemd-analyze would read as options, or that the
	// failure message cannot quote back, are left out.
	var batch []string
	for _, e := range exprs {
		if !strings.HasPrefix(e, "-") && !strings.Contains(e, "'") {
			batch = append(batch, e)
		}
	}
	const size = 100
	compared, rejected := 0, 0
	for i := 0; i < len(batch); i += size {
		chunk := batch[i:min(i+size, len(batch))]
		before := time.Now().In(time.UTC)
		failed, blocks := analyze(t, bin, n, chunk)
		after := time.Now().In(time.UTC)
		k := 0
		for _, e := range chunk {
			s, err := Parse(e)
			if failed[e] {
				rejected++
				if err == nil {
					t.Errorf("Parse(%q) = %s, systemd rejects it", e, s.Normalized())
				}
				continue
			}
			if k >= len(blocks) {
				t.Fatalf("systemd-analyze printed %d blocks for %d expressions", len(blocks), len(chunk)-len(failed))
			}
			b := blocks[k]
			k++
			if err != nil {
				t.Errorf("Parse(%q): %v; systemd takes it as %s", e, err, b.normalized)
				continue
			}
			compared++
			if got := s.Normalized(); got != b.normalized {
				t.Errorf("Parse(%q).Normalized() = %q, systemd %q", e, got, b.normalized)
			}
			if eq(ours(s, before, n), b.elapses) || eq(ours(s, after, n), b.elapses) {
				continue
			}
			// A second may have passed between our now and systemd's: once more.
			before = time.Now()
			_, again := analyze(t, bin, n, []string{e})
			after = time.Now()
			if len(again) == 1 && (eq(ours(s, before, n), again[0].elapses) || eq(ours(s, after, n), again[0].elapses)) {
				continue
			}
			t.Errorf("%q from %s:\n ours    %q\n systemd %q", e, before.Format(time.RFC3339Nano), ours(s, before, n), b.elapses)
		}
	}
	t.Logf("%d expressions: %d compared over %d elapses, %d rejected by both", len(batch), compared, n, rejected)
}

func eq(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }
