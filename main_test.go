package main

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/opkuma/opkuma/cmd"
	"github.com/opkuma/opkuma/internal/fakekuma"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"opkuma":     cmd.Execute,
		"maxrss":     maxRSSMain,
		"closedpipe": closedPipeMain,
		"headpipe":   headPipeMain,
	})
}

// closedPipeMain is the closedpipe command of the scripts:
//
//	closedpipe PROGRAM [ARGS...]
//
// It runs PROGRAM with its stdout on a pipe whose reading end is already
// closed, so every write there fails with EPIPE (or raises SIGPIPE), and
// exits with PROGRAM's exit code (128+N for a death by signal N).
func closedPipeMain() {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "closedpipe:", err)
		os.Exit(2)
	}
	r.Close()
	c := exec.Command(os.Args[1], os.Args[2:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, w, os.Stderr
	err = c.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "closedpipe:", err)
		os.Exit(2)
	}
	if ws := c.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
		fmt.Fprintf(os.Stderr, "closedpipe: %s killed by signal %d\n", os.Args[1], ws.Signal())
		os.Exit(128 + int(ws.Signal()))
	}
	os.Exit(c.ProcessState.ExitCode())
}

// headPipeMain is the headpipe command of the scripts:
//
//	headpipe PROGRAM [ARGS...]
//
// It runs PROGRAM with its stdout on a pipe, reads up to the first newline
// (printed on its own stdout), then closes the pipe, as "| head -1" does,
// and exits with PROGRAM's exit code (128+N for a death by signal N).
func headPipeMain() {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "headpipe:", err)
		os.Exit(2)
	}
	c := exec.Command(os.Args[1], os.Args[2:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, w, os.Stderr
	if err := c.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "headpipe:", err)
		os.Exit(2)
	}
	w.Close()
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n > 0 {
			os.Stdout.Write(b[:n])
		}
		if err != nil || b[0] == '\n' {
			break
		}
	}
	r.Close()
	err = c.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "headpipe:", err)
		os.Exit(2)
	}
	if ws := c.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
		os.Exit(128 + int(ws.Signal()))
	}
	os.Exit(c.ProcessState.ExitCode())
}

// maxRSSMain is the maxrss command of the scripts:
//
//	maxrss MIB PROGRAM [ARGS...]
//
// It runs PROGRAM with its own streams and exits with its exit code, or 99
// when the peak resident memory of PROGRAM (or of any descendant it waited
// for) reached MIB MiB.
func maxRSSMain() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: maxrss MIB PROGRAM [ARGS...]")
		os.Exit(2)
	}
	limit, err := strconv.ParseInt(os.Args[1], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "maxrss:", err)
		os.Exit(2)
	}
	c := exec.Command(os.Args[2], os.Args[3:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = c.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "maxrss:", err)
		os.Exit(2)
	}
	kib := c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	if kib>>10 >= limit {
		fmt.Fprintf(os.Stderr, "maxrss: peak RSS %d MiB, want under %d MiB\n", kib>>10, limit)
		os.Exit(99)
	}
	fmt.Fprintf(os.Stderr, "maxrss: peak RSS %d KiB\n", kib)
	os.Exit(c.ProcessState.ExitCode())
}

// TestScript runs testdata/script/*.txtar against the real binary (the test
// binary re-executed as opkuma).
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Condition:           scriptCondition,
		Setup: func(e *testscript.Env) error {
			e.Values[stateKey{}] = &scriptState{}
			e.Defer(func() { e.Values[stateKey{}].(*scriptState).close() })
			e.Setenv("OPKUMA_URL", "")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"kuma":     cmdKuma,
			"exitcode": cmdExitCode,
			"pidns":    cmdPidNS,
		},
	})
}

// TestDependencies keeps the binary's third-party packages visible in
// review (as runitor's depaware.txt does): testdata/deps.txt lists them, and
// a change must update it. Refresh with:
//
//	go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' . | grep -v '^github.com/opkuma/opkuma' > testdata/deps.txt
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	var got []string
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, "github.com/opkuma/opkuma") {
			got = append(got, p)
		}
	}
	want, err := os.ReadFile("testdata/deps.txt")
	if err != nil {
		t.Fatal(err)
	}
	if g, w := strings.Join(got, "\n"), strings.TrimSpace(string(want)); g != w {
		t.Errorf("the binary's dependencies changed; if that is intended, say why in the commit and refresh testdata/deps.txt\ngot:\n%s\nwant:\n%s", g, w)
	}
}

type stateKey struct{}

// scriptState is what one script's custom commands share.
type scriptState struct {
	kuma   *fakekuma.Server
	server *httptest.Server
	tokens map[string]bool // every token the script gave the stand-in
}

func (s *scriptState) close() {
	if s.kuma != nil {
		s.kuma.Close()
		s.server.Close()
	}
}

func state(ts *testscript.TestScript) *scriptState {
	return ts.Value(stateKey{}).(*scriptState)
}

// cmdKuma drives the stand-in push server:
//
//	kuma start [-version 1.23|2|next] [-tls]    start it; $KUMA is its base URL ($KUMA_CA the CA file with -tls)
//	kuma monitor TOKEN [paused]                 add a Push monitor
//	kuma fault TOKEN KIND [ARG...] [xN]         script a misbehaviour for the next N requests (all without xN):
//	                                            status CODE [RETRY-AFTER] | html CODE | hang | redirect CODE PATH-OR-URL
//	                                            | slow DURATION (2.x slow notifier: beat recorded, answer DURATION later)
//	                                            | knex [DURATION] | busy (Uptime Kuma's DB faults: ok:false, nothing recorded)
//	                                            | msg CODE TEXT (ok:false with TEXT, Go escapes like \x1b allowed; CODE 0: 404)
//	                                            | migrating (2.x upgrading: HTML 404 "Cannot GET ...") | drop (beat recorded, connection closed)
//	kuma requests TOKEN N                       assert N requests reached TOKEN's path
//	kuma beats TOKEN N                          assert N heartbeats were recorded
//	kuma noleak                                 assert no token given to kuma monitor/fault is in the last command's
//	                                            stdout or stderr, nor in any request's Referer or other path
//	kuma req TOKEN I ASSERTION...               assert on request I (1-based; -1 the last):
//	                                            key=value, key~regexp, !key; keys: method, path, ua, referer, or a query parameter
func cmdKuma(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("kuma does not take !")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: kuma start|monitor|fault|requests|beats|req ...")
	}
	st := state(ts)
	if (args[0] == "monitor" || args[0] == "fault") && len(args) > 1 {
		if st.tokens == nil {
			st.tokens = map[string]bool{}
		}
		st.tokens[args[1]] = true
	}
	if args[0] != "start" && st.kuma == nil {
		ts.Fatalf("kuma %s: run kuma start first", args[0])
	}
	switch args[0] {
	case "start":
		kumaStart(ts, st, args[1:])
	case "monitor":
		if len(args) < 2 {
			ts.Fatalf("usage: kuma monitor TOKEN [paused]")
		}
		st.kuma.AddMonitor(args[1], len(args) < 3 || args[2] != "paused")
	case "fault":
		kumaFault(ts, st, args[1:])
	case "requests", "beats":
		if len(args) != 3 {
			ts.Fatalf("usage: kuma %s TOKEN N", args[0])
		}
		want, err := strconv.Atoi(args[2])
		ts.Check(err)
		got := 0
		for _, r := range st.kuma.Requests(args[1]) {
			if args[0] == "requests" || r.Beat {
				got++
			}
		}
		if got != want {
			ts.Fatalf("kuma %s %s: got %d, want %d", args[0], args[1], got, want)
		}
	case "req":
		kumaReq(ts, st, args[1:])
	case "noleak":
		kumaNoLeak(ts, st)
	default:
		ts.Fatalf("kuma: unknown subcommand %q", args[0])
	}
}

func kumaStart(ts *testscript.TestScript, st *scriptState, args []string) {
	if st.kuma != nil {
		ts.Fatalf("kuma start: already started")
	}
	version, useTLS := fakekuma.V2, false
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-version":
			i++
			version = fakekuma.Version(args[i])
		case "-tls":
			useTLS = true
		default:
			ts.Fatalf("kuma start: unknown flag %q", args[i])
		}
	}
	st.kuma = fakekuma.New(version)
	srv := httptest.NewUnstartedServer(st.kuma)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // TLS handshake failures are the point of some tests
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	srv.Listener = l
	if useTLS {
		srv.StartTLS()
		ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.TLS.Certificates[0].Certificate[0]})
		path := ts.MkAbs("kuma-ca.pem")
		ts.Check(os.WriteFile(path, ca, 0o644))
		ts.Setenv("KUMA_CA", path)
	} else {
		srv.Start()
	}
	st.server = srv
	ts.Setenv("KUMA", srv.URL)
	ts.Setenv("KUMA_HOSTPORT", l.Addr().String())
}

func kumaFault(ts *testscript.TestScript, st *scriptState, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: kuma fault TOKEN KIND [ARG...] [xN]")
	}
	token, kind, rest := args[0], args[1], args[2:]
	f := fakekuma.Fault{Kind: kind}
	if n := len(rest); n > 0 && strings.HasPrefix(rest[n-1], "x") {
		if c, err := strconv.Atoi(rest[n-1][1:]); err == nil {
			f.Count, rest = c, rest[:n-1]
		}
	}
	atoi := func(s string) int {
		v, err := strconv.Atoi(s)
		ts.Check(err)
		return v
	}
	switch {
	case kind == "status" && len(rest) >= 1:
		f.Code = atoi(rest[0])
		if len(rest) > 1 {
			f.RetryAfter = rest[1]
		}
	case kind == "html" && len(rest) == 1:
		f.Code = atoi(rest[0])
	case kind == "hang" && len(rest) == 0:
	case kind == "slow" && len(rest) == 1, kind == "knex" && len(rest) == 1:
		d, err := time.ParseDuration(rest[0])
		ts.Check(err)
		f.Delay = d
	case kind == "redirect" && len(rest) == 2:
		f.Code, f.Location = atoi(rest[0]), rest[1]
	case kind == "msg" && len(rest) == 2:
		msg, err := strconv.Unquote(`"` + strings.ReplaceAll(rest[1], `"`, `\"`) + `"`)
		ts.Check(err)
		f.Code, f.Msg = atoi(rest[0]), msg
	case (kind == "knex" || kind == "busy" || kind == "migrating" || kind == "drop") && len(rest) == 0:
	default:
		ts.Fatalf("kuma fault: bad arguments %q", args)
	}
	st.kuma.AddFault(token, f)
}

// kumaNoLeak fails when a token shows where it must not: in what the last
// command printed, or in any request to the stand-in but the push itself.
func kumaNoLeak(ts *testscript.TestScript, st *scriptState) {
	var where []string
	for _, name := range []string{"stdout", "stderr"} {
		text := ts.ReadFile(name)
		for tok := range st.tokens {
			if strings.Contains(text, tok) {
				where = append(where, fmt.Sprintf("%s shows %q", name, tok))
			}
		}
	}
	for _, r := range st.kuma.Requests("") {
		for tok := range st.tokens {
			if strings.Contains(r.Referer, tok) {
				where = append(where, fmt.Sprintf("a request's Referer shows %q", tok))
			}
			if strings.Contains(r.Path, tok) && !strings.HasSuffix(r.Path, "/api/push/"+tok) {
				where = append(where, fmt.Sprintf("request path %q shows %q", r.Path, tok))
			}
		}
	}
	if len(where) > 0 {
		ts.Fatalf("token leaked: %s", strings.Join(where, "; "))
	}
}

func kumaReq(ts *testscript.TestScript, st *scriptState, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: kuma req TOKEN I ASSERTION...")
	}
	reqs := st.kuma.Requests(args[0])
	i, err := strconv.Atoi(args[1])
	ts.Check(err)
	if i < 0 {
		i += len(reqs) + 1
	}
	if i < 1 || i > len(reqs) {
		ts.Fatalf("kuma req: no request %s to %s (%d received)", args[1], args[0], len(reqs))
	}
	r := reqs[i-1]
	field := func(key string) (string, bool) {
		switch key {
		case "method":
			return r.Method, true
		case "path":
			return r.Path, true
		case "ua":
			return r.UserAgent, true
		case "referer":
			return r.Referer, r.Referer != ""
		}
		v, ok := r.Query[key]
		if !ok {
			return "", false
		}
		return v[0], true
	}
	for _, a := range args[2:] {
		if key, ok := strings.CutPrefix(a, "!"); ok {
			if v, present := field(key); present {
				ts.Fatalf("kuma req: %s is %q, want absent", key, v)
			}
			continue
		}
		i := strings.IndexAny(a, "=~")
		if i < 1 {
			ts.Fatalf("kuma req: bad assertion %q", a)
		}
		key, op, want := a[:i], a[i], a[i+1:]
		got, present := field(key)
		if !present {
			ts.Fatalf("kuma req: %s absent, want %c%q", key, op, want)
		}
		if op == '=' && got != want {
			ts.Fatalf("kuma req: %s is %q, want %q", key, got, want)
		}
		if op == '~' && !regexp.MustCompile(want).MatchString(got) {
			ts.Fatalf("kuma req: %s is %q, want match for %q", key, got, want)
		}
	}
}

// cmdExitCode runs a command and asserts its exit code:
//
//	exitcode [-within DURATION] CODE PROGRAM [ARGS...]
//
// Its stdout and stderr are then what the stdout and stderr commands check.
// With -within, the command must also end within DURATION.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("exitcode does not take !")
	}
	var within time.Duration
	if len(args) > 2 && args[0] == "-within" {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		within, args = d, args[2:]
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode [-within DURATION] CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	start := time.Now()
	err = ts.Exec(args[1], args[2:]...)
	took := time.Since(start)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
	if within > 0 && took > within {
		ts.Fatalf("took %v, want at most %v", took.Round(time.Millisecond), within)
	}
	ts.Logf("exit code %d in %v", got, took.Round(time.Millisecond))
}

// cmdPidNS runs a command as PID 1 of a new PID namespace, as in a
// container (guard it with [pidns]), and asserts its exit code:
//
//	pidns CODE PROGRAM [ARGS...]
func cmdPidNS(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: pidns CODE PROGRAM [ARGS...]")
	}
	cmdExitCode(ts, false, append([]string{args[0], "unshare", "--pid", "--fork", "--mount-proc"}, args[1:]...))
}

// scriptCondition adds the scripts' own conditions:
//
//	[pidns]  this process may make a PID namespace (root and unshare(1))
func scriptCondition(cond string) (bool, error) {
	switch cond {
	case "pidns":
		return exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").Run() == nil, nil
	case "race":
		return raceBuild, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}
