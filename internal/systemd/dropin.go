package systemd

import (
	"fmt"
	"path/filepath"
	"strings"
)

// DropInName is the file name of the drop-in DropIn writes.
const DropInName = "opkuma.conf"

// DropIn returns the path (under t.Root) and the contents of the drop-in
// that makes service run cmd, one of its ExecStart= commands, under
// wrapper: "ExecStart=" to reset the list, then one ExecStart= with
// wrapper's words followed by cmd's. cmd's prefixes are kept but "@"
// (the wrapper is the program now, so a separate argv[0] cannot be
// given; the job gets its path as argv[0]). Under ":" the wrapper's
// words are written as they are, since nothing is expanded. It returns
// an error for a name that is not a service's, an empty wrapper or cmd.
func (t Tree) DropIn(service string, wrapper []string, cmd Command) (string, []byte, error) {
	if !strings.HasSuffix(service, ".service") {
		service += ".service"
	}
	if service == ".service" || strings.ContainsAny(service, "/\x00\n") {
		return "", nil, fmt.Errorf("systemd: invalid service name %q", service)
	}
	if len(wrapper) == 0 || len(cmd.Words) == 0 {
		return "", nil, fmt.Errorf("systemd: %s: empty wrapper or command", service)
	}
	prefix := strings.ReplaceAll(cmd.Prefix, "@", "")
	words := cmd.Words
	if strings.Contains(cmd.Prefix, "@") {
		words = append([]string{words[0]}, words[min(2, len(words)):]...)
	}
	head := QuoteExec(wrapper)
	if strings.Contains(prefix, ":") {
		head = quoteWords(wrapper)
	}
	var b strings.Builder
	b.WriteString("# Written by opkuma (opkuma timers wrap): runs the job under opkuma run.\n")
	b.WriteString("[Service]\nExecStart=\n")
	fmt.Fprintf(&b, "ExecStart=%s%s %s\n", prefix, head, quoteWords(words))
	dir := filepath.Join(t.configDir(), service+".d")
	return filepath.Join(dir, DropInName), []byte(b.String()), nil
}
