# Sourced by the bench scripts (POSIX sh), from the repository's root: a
# temporary directory removed on exit, need(), median(), and
#   start_stand_in: builds opkuma as released ($opkuma) and the stand-in
#   push route, starts it on 127.0.0.1 and sets $url to a push URL of it.

tmp=$(mktemp -d)
cleanup() {
	[ -n "${kuma_pid:-}" ] && kill "$kuma_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# need TOOL HOW: stop when TOOL is missing, saying HOW to get it.
need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is needed: $2" >&2; exit 1; }; }

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

start_stand_in() {
	echo "building (stripped, as released) ..." >&2
	CGO_ENABLED=0 go build -tags urfave_cli_no_docs -trimpath -ldflags '-s -w' -o "$tmp/opkuma" .
	go build -o "$tmp/fakekuma" ./internal/cmd/fakekuma
	opkuma="$tmp/opkuma"
	# The stand-in prints its URL, then serves until its stdin closes.
	mkfifo "$tmp/kuma-out" "$tmp/kuma-in"
	"$tmp/fakekuma" BenchTok1 <"$tmp/kuma-in" >"$tmp/kuma-out" &
	kuma_pid=$!
	exec 3>"$tmp/kuma-in"
	read -r base <"$tmp/kuma-out"
	url="$base/api/push/BenchTok1"
}
