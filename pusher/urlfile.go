package pusher

import (
	"bufio"
	"os"
	"strings"
)

// ReadURLFile returns the first non-empty line of the file at path that is
// not a # comment: a push URL kept out of command lines and ps output.
// Unless insecure is true, a file that group or others can read is refused,
// as ssh refuses such a key. Errors are *UsageError.
func ReadURLFile(path string, insecure bool) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", usageErrorf("--url-file: %v", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", usageErrorf("--url-file: %v", err)
	}
	if !fi.Mode().IsRegular() {
		return "", usageErrorf("--url-file %s: not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o044 != 0 && !insecure {
		return "", usageErrorf("--url-file %s: readable by group or others (mode %04o): run chmod 600 %s, or pass --url-file-insecure", path, perm, path)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			return line, nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", usageErrorf("--url-file %s: %v", path, redactText(err.Error(), ""))
	}
	return "", usageErrorf("--url-file %s: no URL in it: put the push URL on a line of its own", path)
}
