package runner

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestStdioHelper is the process that TestStdio starts with its descriptors
// 0, 1 and 2 set up: it writes on descriptor 3 which of Stdio's results
// are kept ("o") and which are nil ("-").
func TestStdioHelper(t *testing.T) {
	if os.Getenv("OPKUMA_STDIO_HELPER") != "1" {
		t.Skip("helper process of TestStdio")
	}
	in, out, errOut := Stdio()
	var b []byte
	for _, f := range []*os.File{in, out, errOut} {
		if f == nil {
			b = append(b, '-')
		} else {
			b = append(b, 'o')
		}
	}
	os.NewFile(3, "result").Write(b)
	os.Exit(0)
}

// TestStdio starts the test binary with its standard descriptors closed or
// opened on /dev/null in several ways (the Go runtime opens /dev/null
// read-write, once per closed descriptor, before main runs) and checks
// which ones Stdio reports as closed.
func TestStdio(t *testing.T) {
	open := func(name string, flag int) *os.File {
		f, err := os.OpenFile(name, flag, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	nullR := open(os.DevNull, os.O_RDONLY)
	nullW := open(os.DevNull, os.O_WRONLY)
	nullRW := open(os.DevNull, os.O_RDWR)
	zeroRW := open("/dev/zero", os.O_RDWR)
	fileRW := open(filepath.Join(t.TempDir(), "f"), os.O_RDWR|os.O_CREATE)
	tests := []struct {
		name  string
		files [3]*os.File
		want  string
	}{
		{"all open", [3]*os.File{nullR, nullW, nullW}, "ooo"},
		{"stdout closed", [3]*os.File{nullR, nil, nullW}, "o-o"},
		{"all closed", [3]*os.File{nil, nil, nil}, "---"},
		{"one /dev/null read-write for all (daemon)", [3]*os.File{nullRW, nullRW, nullRW}, "ooo"},
		{"stdin closed, one /dev/null for 1 and 2", [3]*os.File{nil, nullRW, nullRW}, "-oo"},
		{"another device read-write", [3]*os.File{zeroRW, nullW, nil}, "oo-"},
		{"a file read-write", [3]*os.File{fileRW, nil, nullW}, "o-o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			p, err := os.StartProcess(os.Args[0], []string{os.Args[0], "-test.run=^TestStdioHelper$"}, &os.ProcAttr{
				// atexit_sleep_ms: the race detector would wait 1 s at exit.
				Env:   append(os.Environ(), "OPKUMA_STDIO_HELPER=1", "GORACE=atexit_sleep_ms=0"),
				Files: []*os.File{tt.files[0], tt.files[1], tt.files[2], w},
			})
			w.Close()
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if _, werr := p.Wait(); err == nil {
				err = werr
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Stdio() kept %q, want %q", got, tt.want)
			}
		})
	}
}
