package crontab

import (
	"strings"

	"github.com/mattn/go-shellwords"
)

// token is a word or an operator of a command line, as sh(1) cuts the line
// into tokens (POSIX "Token Recognition"). Only the cutting is done here;
// word values come from go-shellwords.
type token struct {
	start, end int    // byte span in the text
	op         string // the operator ("&", "&&", ";", "|", ">", ...); "" for a word
	glued      bool   // no blank between this token and the one before
	hash       int    // word: offset in the text of its first unquoted '#', or -1
}

// operators are sh's operators, longest first so that "&&" wins over "&".
var operators = []string{"&&", "||", ";;", ">>", ">&", "<&", "<<", "<>", ">|", "&", ";", "|", "<", ">", "(", ")", "\n"}

// tokens cuts text as sh would: quotes ('...', "...", \x), command
// substitutions ($(...), `...`) and parameter expansions (${...}) stay inside
// their word; an unquoted '#' at the start of a word starts a comment, which
// ends the line. An unterminated quote runs to the end of the text.
func tokens(text string) []token {
	var out []token
	i, prevEnd := 0, -1
	for i < len(text) {
		c := text[i]
		if c == ' ' || c == '\t' || c == '\r' {
			i++
			continue
		}
		glued := i == prevEnd
		if c == '#' {
			break // a comment: sh reads nothing after it
		}
		if op := operatorAt(text, i); op != "" {
			out = append(out, token{start: i, end: i + len(op), op: op, glued: glued, hash: -1})
			i += len(op)
			prevEnd = i
			continue
		}
		start, hash := i, -1
		for i < len(text) {
			c := text[i]
			if c == ' ' || c == '\t' || c == '\r' || operatorAt(text, i) != "" {
				break
			}
			if j, ok := skipQuoted(text, i); ok {
				i = j
				continue
			}
			switch c {
			case '$':
				if i+1 < len(text) && (text[i+1] == '(' || text[i+1] == '{') {
					i = skipNested(text, i+2, text[i+1])
					continue
				}
			case '#':
				if hash < 0 {
					hash = i
				}
			}
			i++
		}
		i = min(i, len(text))
		out = append(out, token{start: start, end: i, glued: glued, hash: hash})
		prevEnd = i
	}
	return out
}

func operatorAt(text string, i int) string {
	for _, op := range operators {
		if strings.HasPrefix(text[i:], op) {
			return op
		}
	}
	return ""
}

// skipSingle returns the offset after the ' that closes a quote opened
// before i.
func skipSingle(text string, i int) int {
	if j := strings.IndexByte(text[i:], '\''); j >= 0 {
		return i + j + 1
	}
	return len(text)
}

func skipDouble(text string, i int) int {
	for i < len(text) {
		switch text[i] {
		case '\\':
			i += 2
			continue
		case '"':
			return i + 1
		case '`':
			i = skipBackquote(text, i+1)
			continue
		case '$':
			if i+1 < len(text) && (text[i+1] == '(' || text[i+1] == '{') {
				i = skipNested(text, i+2, text[i+1])
				continue
			}
		}
		i++
	}
	return len(text)
}

func skipBackquote(text string, i int) int {
	for i < len(text) {
		switch text[i] {
		case '\\':
			i += 2
			continue
		case '`':
			return i + 1
		}
		i++
	}
	return len(text)
}

// skipQuoted returns the offset after the backslash escape or the quoted
// string ('...', "...", `...`) that starts at text[i], and false when none
// starts there.
func skipQuoted(text string, i int) (int, bool) {
	switch text[i] {
	case '\\':
		return i + 2, true
	case '\'':
		return skipSingle(text, i+1), true
	case '"':
		return skipDouble(text, i+1), true
	case '`':
		return skipBackquote(text, i+1), true
	}
	return i, false
}

// skipNested returns the offset after the bracket that closes $( or ${,
// open is '(' or '{'.
func skipNested(text string, i int, open byte) int {
	closing := byte(')')
	if open == '{' {
		closing = '}'
	}
	depth := 1
	for i < len(text) {
		if j, ok := skipQuoted(text, i); ok {
			i = j
			continue
		}
		switch text[i] {
		case open:
			depth++
		case closing:
			if depth--; depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return len(text)
}

// word is one word of a simple command.
type word struct {
	token
	raw   string // as written
	value string // after quote removal (go-shellwords); raw when it cannot say
}

// simple is one simple command of a command line: its words, without
// redirections, and the operator that ends it.
type simple struct {
	words []word
	end   token // the operator after it; end.op == "" at the end of the line
}

// separators end a simple command.
var separators = map[string]bool{"&&": true, "||": true, ";;": true, "&": true, ";": true, "|": true, "(": true, ")": true, "\n": true}

// commands cuts text into simple commands as sh would.
func commands(text string) []simple {
	var out []simple
	var cur simple
	toks := tokens(text)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case separators[t.op]:
			cur.end = t
			out = append(out, cur)
			cur = simple{}
		case t.op != "":
			// A redirection: its target is the next word, and a number
			// glued before it (2>) is its file descriptor.
			if n := len(cur.words); n > 0 && t.glued && isDigits(cur.words[n-1].raw) {
				cur.words = cur.words[:n-1]
			}
			if i+1 < len(toks) && toks[i+1].op == "" {
				i++
			}
		default:
			raw := text[t.start:t.end]
			cur.words = append(cur.words, word{token: t, raw: raw, value: unquoteWord(raw)})
		}
	}
	if len(cur.words) > 0 || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// unquoteWord removes the quotes of one word, as sh's quote removal does.
func unquoteWord(raw string) string {
	if !strings.ContainsAny(raw, `'"\`) {
		return raw
	}
	p := shellwords.NewParser()
	if args, err := p.Parse(raw); err == nil && len(args) == 1 && p.Position < 0 {
		return args[0]
	}
	return raw
}

// isAssignment reports whether w is a NAME=value word, which sh reads as a
// variable for the command rather than as the command.
func isAssignment(raw string) bool {
	name, _, ok := strings.Cut(raw, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
