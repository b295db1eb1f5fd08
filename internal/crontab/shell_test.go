package crontab

import "testing"

// TestSkipDouble: the offset after the " that closes a double quote opened
// just before i, across backquotes, $( ) and ${ } that hold a ".
func TestSkipDouble(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{`"abc" x`, 5},
		{"\"a`\"`b\" c", 7},     // a " inside `...`
		{`"$(echo ")")" x`, 13}, // a " and a ) inside $( )
		{`"${a:-"}"}" x`, 11},   // a " and a } inside ${ }
		{`"$x" y`, 4},           // $ not followed by ( or {
		{`"a\"b" c`, 6},         // an escaped "
		{`"$`, 2},               // unclosed, $ at the end
		{`"$(`, 3},              // unclosed $(
	} {
		if got := skipDouble(tc.text, 1); got != tc.want {
			t.Errorf("skipDouble(%q, 1) = %d, want %d", tc.text, got, tc.want)
		}
	}
}
