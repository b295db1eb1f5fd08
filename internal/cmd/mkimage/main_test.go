package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/opkuma/opkuma/internal/fakekuma"
)

// goBuild builds a static binary of pkg (an import path, or a file) into
// out, as a release does.
func goBuild(t *testing.T, dir, out, pkg string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}

// opkuma builds opkuma into a temporary directory.
func opkuma(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "opkuma")
	goBuild(t, ".", bin, "github.com/opkuma/opkuma")
	return bin
}

// layerFiles reads the only layer of the image tarball at path: its
// headers by name, and its files' contents.
func layerFiles(t *testing.T, path string) (v1.Image, map[string]*tar.Header, map[string][]byte) {
	t.Helper()
	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers (%v), want 1", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	headers, data := map[string]*tar.Header{}, map[string][]byte{}
	var names []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		headers[h.Name] = h
		names = append(names, h.Name)
		data[h.Name], _ = io.ReadAll(tr)
	}
	want := []string{"etc/", "etc/group", "etc/passwd", "etc/ssl/", "etc/ssl/certs/", "etc/ssl/certs/ca-certificates.crt", "opkuma", "tmp/"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("layer holds %q, want %q (sorted; no shell, no zoneinfo)", names, want)
	}
	return img, headers, data
}

// TestImage builds the image of a fresh opkuma twice and reads it back.
// Mutations caught: a timestamp from the clock or SOURCE_DATE_EPOCH
// ignored (digests differ, or do not), the sticky bit of /tmp dropped,
// /opkuma not executable, no entrypoint, a file missing or out of order,
// the binary or the CA bundle not the ones given, a dynamic binary or a
// missing CA bundle accepted.
func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds opkuma and its image")
	}
	if _, err := os.Stat(defaultCA); err != nil {
		t.Skipf("no %s on this machine (Debian's ca-certificates): %v", defaultCA, err)
	}
	bin := opkuma(t)
	dir := t.TempDir()
	epoch := time.Unix(1700000000, 0).UTC()
	var digests []v1.Hash
	var tars [][]byte
	for i, e := range []time.Time{epoch, epoch, time.Unix(0, 0)} {
		start := time.Now()
		path := filepath.Join(dir, strconv.Itoa(i)+".tar")
		d, err := write(path, "opkuma:test", options{binary: bin, ca: defaultCA, epoch: e})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		t.Logf("image %s: %d bytes in %v", d, len(b), time.Since(start).Round(time.Millisecond))
		digests, tars = append(digests, d), append(tars, b)
	}
	if digests[0] != digests[1] || !bytes.Equal(tars[0], tars[1]) {
		t.Errorf("two builds of one binary differ: %s, %s", digests[0], digests[1])
	}
	if digests[0] == digests[2] {
		t.Errorf("another SOURCE_DATE_EPOCH gave the same digest %s", digests[0])
	}

	img, headers, data := layerFiles(t, filepath.Join(dir, "0.tar"))
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Config.Entrypoint; len(got) != 1 || got[0] != "/opkuma" || len(cfg.Config.Cmd) != 0 {
		t.Errorf("entrypoint %q cmd %q, want [/opkuma] and none", got, cfg.Config.Cmd)
	}
	if cfg.OS != "linux" || cfg.Architecture != runtime.GOARCH || !cfg.Created.Time.Equal(epoch) {
		t.Errorf("os %s arch %s created %v, want linux %s %v", cfg.OS, cfg.Architecture, cfg.Created, runtime.GOARCH, epoch)
	}
	modes := map[string]int64{"opkuma": 0o755, "tmp/": 0o1777, "etc/passwd": 0o644, "etc/ssl/certs/ca-certificates.crt": 0o644}
	for name, h := range headers {
		if want, ok := modes[name]; ok && h.Mode&0o7777 != want {
			t.Errorf("%s: mode %o, want %o", name, h.Mode, want)
		}
		if h.Uid != 0 || h.Gid != 0 || !h.ModTime.Equal(epoch) {
			t.Errorf("%s: owner %d:%d time %v, want 0:0 %v", name, h.Uid, h.Gid, h.ModTime, epoch)
		}
	}
	if headers["tmp/"].Typeflag != tar.TypeDir {
		t.Errorf("/tmp is not a directory")
	}
	want, _ := os.ReadFile(bin)
	ca, _ := os.ReadFile(defaultCA)
	if sha256.Sum256(data["opkuma"]) != sha256.Sum256(want) || !bytes.Equal(data["etc/ssl/certs/ca-certificates.crt"], ca) {
		t.Errorf("/opkuma or the CA bundle is not the one given")
	}
	if !strings.Contains(string(data["etc/passwd"]), "nobody:x:65534:65534:") || !strings.Contains(string(data["etc/group"]), ":x:65534:") {
		t.Errorf("no nobody (65534) in passwd %q, group %q", data["etc/passwd"], data["etc/group"])
	}

	if _, err := build(options{binary: bin, ca: filepath.Join(dir, "none.crt"), epoch: epoch}); err == nil || !strings.Contains(err.Error(), "ca-certificates") {
		t.Errorf("missing CA bundle: %v, want an error naming ca-certificates", err)
	}
	if sh, err := exec.LookPath("sh"); err == nil {
		if _, err := staticArch(sh); err == nil || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
			t.Errorf("%s (dynamic on Debian): %v, want an error naming CGO_ENABLED=0", sh, err)
		}
	}
}

// jobSource is the job of TestPID1SIGTERM: it says "ready" once its
// handling of SIGTERM is set, then ignores SIGTERM ("ignore") or exits
// 143 on it.
const jobSource = `package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	c := make(chan os.Signal, 1)
	if os.Args[1] == "ignore" {
		signal.Ignore(syscall.SIGTERM)
	} else {
		signal.Notify(c, syscall.SIGTERM)
	}
	fmt.Println("ready")
	select {
	case <-c:
		fmt.Fprintln(os.Stderr, "job: SIGTERM, cleaned up")
		os.Exit(143)
	case <-time.After(time.Minute):
		os.Exit(9)
	}
}
`

// extract unpacks the image's layer into dir.
func extract(t *testing.T, path, dir string) {
	t.Helper()
	_, headers, data := layerFiles(t, path)
	// In name order, each file's directory made first: a map's order put
	// /opkuma before the root existed in one run of eight.
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		h := headers[name]
		p := filepath.Join(dir, name)
		err := os.MkdirAll(filepath.Dir(p), 0o755)
		if err == nil && h.Typeflag == tar.TypeDir {
			err = os.MkdirAll(p, 0o755)
		} else if err == nil {
			err = os.WriteFile(p, data[name], 0o600)
		}
		if err == nil {
			err = os.Chmod(p, os.FileMode(h.Mode&0o777)|map[bool]os.FileMode{true: os.ModeSticky}[h.Mode&0o1000 != 0])
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestPID1SIGTERM runs opkuma from the image as PID 1 of a PID namespace,
// chrooted into the image's files (as a container runtime does, less the
// other namespaces), and sends it SIGTERM as a kubelet deleting the pod
// does: the DOWN beat must say it was terminated, and opkuma exit 143,
// well within terminationGracePeriodSeconds (30 s). Also: a time zone
// works without /usr/share/zoneinfo. Mutation caught: StopGrace not
// wired under --down-on-failure (the ignoring job keeps opkuma a minute).
func TestPID1SIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds opkuma and its image, waits out the 5 s grace")
	}
	if out, err := exec.Command("unshare", "--pid", "--fork", "--root=/", "true").CombinedOutput(); err != nil {
		t.Skipf("unshare --pid --fork --root does not work here (it needs root): %v %s", err, out)
	}
	if _, err := os.Stat(defaultCA); err != nil {
		t.Skipf("no %s on this machine: %v", defaultCA, err)
	}
	bin := opkuma(t)
	dir := t.TempDir()
	image := filepath.Join(dir, "image.tar")
	if _, err := write(image, "opkuma:test", options{binary: bin, ca: defaultCA, epoch: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root")
	extract(t, image, root)
	src := filepath.Join(dir, "jobsrc")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(jobSource), 0o644); err != nil {
		t.Fatal(err)
	}
	goBuild(t, src, filepath.Join(root, "job"), "main.go")

	t.Run("interval", func(t *testing.T) {
		args := []string{"interval", "--tz", "Europe/Paris", "0 3 * * *"}
		inImage, err := exec.Command("unshare", append([]string{"--pid", "--fork", "--root=" + root, "/opkuma"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("in the image: %v\n%s", err, inImage)
		}
		onHost, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil || !bytes.Equal(inImage, onHost) {
			t.Errorf("in the image %q, on the host %q (%v)", inImage, onHost, err)
		}
	})

	kuma := fakekuma.New(fakekuma.V2)
	kuma.AddMonitor("tok1", true)
	beats := make(chan time.Time, 4)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kuma.ServeHTTP(w, r)
		beats <- time.Now()
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	defer srv.Close()

	for _, tt := range []struct {
		mode, msg string
		within    time.Duration
	}{
		{"ignore", "terminated by SIGTERM; job did not stop within 5s: killed", 15 * time.Second},
		{"exit", "terminated by SIGTERM; job exit 143: job: SIGTERM, cleaned up", 5 * time.Second},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			cmd := exec.Command("unshare", "--pid", "--fork", "--root="+root,
				"/opkuma", "run", "--down-on-failure", "--url", srv.URL+"/api/push/tok1", "--", "/job", tt.mode)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
				t.Fatalf("job said %q (%v); stderr: %s", line, err, stderr.String())
			}
			pid1 := childOf(t, cmd.Process.Pid)
			sent := time.Now()
			if err := syscall.Kill(pid1, syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			var beat time.Time
			select {
			case beat = <-beats:
			case <-time.After(30 * time.Second):
				t.Fatalf("no beat 30 s after SIGTERM; stderr: %s", stderr.String())
			}
			err = cmd.Wait()
			exited := time.Since(sent)
			t.Logf("SIGTERM to DOWN beat %v, to exit %v", beat.Sub(sent).Round(time.Millisecond), exited.Round(time.Millisecond))
			if code := cmd.ProcessState.ExitCode(); code != 143 {
				t.Errorf("exit %d (%v), want 143; stderr: %s", code, err, stderr.String())
			}
			reqs := kuma.Requests("tok1")
			if last := reqs[len(reqs)-1]; last.Query.Get("status") != "down" || last.Query.Get("msg") != tt.msg {
				t.Errorf("beat status=%s msg=%q, want down %q", last.Query.Get("status"), last.Query.Get("msg"), tt.msg)
			}
			if exited > tt.within {
				t.Errorf("took %v after SIGTERM, want at most %v", exited, tt.within)
			}
		})
	}
}

// childOf returns the pid of the only child of pid: unshare's, which is
// PID 1 in its namespace.
func childOf(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(pid) + "/children")
	if err != nil {
		t.Skipf("cannot find unshare's child: %v", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 1 {
		t.Fatalf("unshare has children %q, want one", f)
	}
	child, _ := strconv.Atoi(f[0])
	return child
}
