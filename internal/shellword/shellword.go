// Package shellword is what opkuma knows of how sh reads one word: which
// words it reads literally, how to quote one so that it does, and which
// words it runs itself rather than looking them up in PATH. The runner,
// the crontab reader and the command line all ask it, so that they never
// disagree.
package shellword

import "strings"

// literal holds the bytes, besides ASCII letters and digits, of a word
// that sh reads as it is, in any position: nothing in it is expanded,
// split, globbed or taken for an operator.
const literal = "_./:=,@+-%^"

// Plain reports whether sh reads w as one literal word: not empty, and
// only ASCII letters, digits and _ . / : = , @ + - % ^. It is strict on
// purpose: a word it refuses may still be literal, but then Quote quotes
// it, which is never wrong.
func Plain(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(literal, c) >= 0) {
			return false
		}
	}
	return true
}

// Quote returns w unchanged when it is Plain, else in single quotes (as
// Single does).
func Quote(w string) string {
	if Plain(w) {
		return w
	}
	return Single(w)
}

// Single returns w in single quotes, each ' in it written '\”.
func Single(w string) string {
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// Builtin reports whether sh reads w, as the first word of a command, as
// a keyword or runs it as a builtin (POSIX sh's, and the common ones of
// dash and bash): a lookup in PATH says nothing about it, and the program
// of that name, where there is one, may behave otherwise (echo).
func Builtin(w string) bool { return builtins[w] }

var builtins = map[string]bool{
	// Keywords and reserved words.
	"!": true, "{": true, "}": true, "case": true, "do": true, "done": true, "elif": true, "else": true,
	"esac": true, "fi": true, "for": true, "if": true, "in": true, "then": true, "until": true, "while": true,
	"function": true, "select": true,
	// Special builtins.
	".": true, ":": true, "break": true, "continue": true, "eval": true, "exec": true, "exit": true,
	"export": true, "readonly": true, "return": true, "set": true, "shift": true, "times": true, "trap": true,
	"unset": true,
	// Regular builtins of dash and bash.
	"alias": true, "bg": true, "cd": true, "chdir": true, "command": true, "echo": true, "false": true,
	"fc": true, "fg": true, "getopts": true, "hash": true, "jobs": true, "kill": true, "local": true,
	"printf": true, "pwd": true, "read": true, "test": true, "true": true, "type": true, "ulimit": true,
	"umask": true, "unalias": true, "wait": true, "source": true, "let": true, "declare": true, "typeset": true,
}
