// Command mkimage builds opkuma's minimal container image without a
// Docker daemon, reproducibly: a docker-loadable tarball (`docker load -i`,
// `crane push`) of one layer that holds the static binary as /opkuma, the
// build machine's CA certificates, /etc/passwd and /etc/group with root and
// nobody, and /tmp. No shell: opkuma is the entrypoint. Time zone data is
// in the binary (time/tzdata).
//
//	go run ./internal/cmd/mkimage -binary dist/opkuma -o opkuma-image.tar
//
// The same binary and SOURCE_DATE_EPOCH (unset: 0) give the same image,
// byte for byte. It prints the image's digest.
package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// defaultCA is where Debian's ca-certificates puts the bundle, and where
// Go's crypto/x509 looks first on Linux.
const defaultCA = "/etc/ssl/certs/ca-certificates.crt"

// The image's accounts: root, and nobody for jobs that drop privileges
// (runAsUser: 65534). Names as Debian has them.
const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
	group  = "root:x:0:\nnogroup:x:65534:\n"
)

func main() {
	binary := flag.String("binary", "", "the static opkuma binary to put in the image (`FILE`)")
	out := flag.String("o", "", "write the image tarball to `FILE`")
	tag := flag.String("tag", "opkuma:latest", "the image's name in the tarball, as docker load shows it")
	ca := flag.String("ca", defaultCA, "the CA certificate bundle to put in the image (`FILE`)")
	flag.Parse()
	if *binary == "" || *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: mkimage -binary FILE -o FILE [-tag NAME] [-ca FILE]")
		os.Exit(2)
	}
	epoch, err := sourceDate(os.Getenv("SOURCE_DATE_EPOCH"))
	if err == nil {
		var digest v1.Hash
		digest, err = write(*out, *tag, options{binary: *binary, ca: *ca, epoch: epoch})
		if err == nil {
			fmt.Println(digest)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

// options say what goes into the image.
type options struct {
	binary string    // the static binary
	ca     string    // the CA bundle
	epoch  time.Time // every timestamp of the image
}

// sourceDate reads SOURCE_DATE_EPOCH (reproducible-builds.org): seconds
// since 1970; "" is 0.
func sourceDate(s string) (time.Time, error) {
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want seconds since 1970", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// write builds the image and writes it to path as a docker-loadable
// tarball named tag; it returns the image's digest.
func write(path, tag string, o options) (v1.Hash, error) {
	ref, err := name.NewTag(tag)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("-tag: %w", err)
	}
	img, err := build(o)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := tarball.WriteToFile(path, ref, img); err != nil {
		return v1.Hash{}, err
	}
	return img.Digest()
}

// build makes the image.
func build(o options) (v1.Image, error) {
	bin, err := os.ReadFile(o.binary)
	if err != nil {
		return nil, err
	}
	arch, err := staticArch(o.binary)
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(o.ca)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no CA certificates at %s: install Debian's ca-certificates, or give -ca FILE", o.ca)
	}
	if err != nil {
		return nil, err
	}
	fs, err := layerTar(o.epoch, []entry{
		{name: "etc/", mode: 0o755},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "etc/ssl/", mode: 0o755},
		{name: "etc/ssl/certs/", mode: 0o755},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: ca},
		{name: "opkuma", mode: 0o755, data: bin},
		{name: "tmp/", mode: 0o1777},
	})
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(fs)), nil
	})
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: v1.Time{Time: o.epoch}, CreatedBy: "opkuma internal/cmd/mkimage", Comment: "static opkuma, CA certificates, passwd, group, /tmp"},
	})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS = arch, "linux"
	cfg.Created = v1.Time{Time: o.epoch}
	cfg.Config.Entrypoint = []string{"/opkuma"}
	cfg.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	cfg.Config.WorkingDir = "/"
	return mutate.ConfigFile(img, cfg)
}

// entry is a file or (name ending in /) directory of the layer.
type entry struct {
	name string
	mode int64
	data []byte
}

// layerTar writes entries, in the order given (sorted), owned by root,
// dated epoch.
func layerTar(epoch time.Time, entries []entry) ([]byte, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, ModTime: epoch, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		if e.name[len(e.name)-1] == '/' {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		// Go's tar takes the sticky bit from Mode's c_ISVTX, 0o1000.
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// staticArch returns the image architecture of the ELF binary at path, and
// an error unless it is statically linked: a scratch image has no dynamic
// loader nor libc.
func staticArch(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: not a Linux binary: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", fmt.Errorf("%s is dynamically linked: build it with CGO_ENABLED=0", path)
		}
	}
	arch, ok := map[elf.Machine]string{
		elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_RISCV: "riscv64", elf.EM_S390: "s390x",
	}[f.Machine]
	if !ok {
		return "", fmt.Errorf("%s: unknown machine %v", path, f.Machine)
	}
	return arch, nil
}
