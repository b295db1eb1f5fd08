// Package filetype names the type of a file that is not a regular one, for
// the messages that refuse it (a url-file, a password file, a lock).
package filetype

import "io/fs"

// Name returns the type of m with its article: "a FIFO", "a character
// device", "a block device", "a socket", "a directory", or fs.FileMode's
// own letters for any other type ("a regular file" for none).
func Name(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m.Type() == 0:
		return "a regular file"
	}
	return m.Type().String()
}
