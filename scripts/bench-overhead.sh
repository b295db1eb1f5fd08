#!/bin/sh
# What opkuma costs in front of a job, side by side in one run, against
#   floor: scripts/floor/floor.go, the least a Go wrapper can do (fork/exec
#          the job, then one GET), and
#   curl:  the one-liner people write instead, sh -c 'true && curl URL'.
# The three are timed in alternating rounds against the stand-in push route
# on 127.0.0.1, so that a busy machine slows them alike. Prints medians and
# ratios; targets (issue 12): opkuma <= 1.15x floor, <= 0.70x curl. A fourth
# line shows the floor that also catches the signals opkuma forwards: the Go
# runtime registers each with a round trip to its signal thread.
#
#   scripts/bench-overhead.sh [ROUNDS]     (default 20 rounds of 10 runs each)
#
# Needs go, curl and hyperfine (apt-get install hyperfine).
set -eu
rounds=${1:-20}
cd "$(dirname "$0")/.."

. scripts/bench-setup.sh
need go "https://go.dev/dl"
need curl "apt-get install curl"
need hyperfine "apt-get install hyperfine"

start_stand_in
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$tmp/floor" scripts/floor/floor.go

for r in $(seq "$rounds"); do
	hyperfine -N --warmup 1 --runs 10 --export-csv "$tmp/h.csv" \
		"$opkuma run --url $url -- /bin/true" \
		"$tmp/floor $url /bin/true" \
		"sh -c '/bin/true && curl -fsS -m 10 $url >/dev/null'" \
		"env FLOOR_SIGNALS=1 $tmp/floor $url /bin/true" \
		"env FLOOR_SIGNALS=0 $tmp/floor $url /bin/true" >/dev/null 2>&1
	awk -F, -v d="$tmp" 'NR == 2 { print $4 * 1000 >> (d "/opkuma.ms") }
	                     NR == 3 { print $4 * 1000 >> (d "/floor.ms") }
	                     NR == 4 { print $4 * 1000 >> (d "/curl.ms") }
	                     NR == 5 { print $4 * 1000 >> (d "/sig.ms") }
	                     NR == 6 { print $4 * 1000 >> (d "/env.ms") }' "$tmp/h.csv"
done
o=$(median "$tmp/opkuma.ms")
f=$(median "$tmp/floor.ms")
c=$(median "$tmp/curl.ms")
# The floor with signal catching runs under env(1): take env's own cost off.
s=$(awk -v a="$(median "$tmp/sig.ms")" -v b="$(median "$tmp/env.ms")" -v f="$f" 'BEGIN { print a - b + f }')
size=$(wc -c <"$tmp/opkuma")
awk -v o="$o" -v f="$f" -v c="$c" -v s="$s" -v r="$rounds" -v size="$size" -v cores="$(nproc)" 'BEGIN {
	printf "bench-overhead: %d rounds of 10 runs, alternating; %d cores; medians\n", r, cores
	printf "| command | median | ratio | target |\n| --- | --- | --- | --- |\n"
	printf "| opkuma run --url URL -- /bin/true | %.2f ms | | |\n", o
	printf "| floor URL /bin/true (scripts/floor) | %.2f ms | opkuma/floor %.2f | <= 1.15 %s |\n", f, o / f, (o / f <= 1.15 ? "ok" : "MISSED")
	printf "| sh -c true && curl URL | %.2f ms | opkuma/curl %.2f | <= 0.70 %s |\n", c, o / c, (o / c <= 0.70 ? "ok" : "MISSED")
	printf "| floor catching opkuma'"'"'s 8 signals (FLOOR_SIGNALS=1, less env(1)) | %.2f ms | opkuma/that %.2f | |\n", s, o / s
	printf "| opkuma binary, stripped | %.2f MiB | | <= 12 MB %s |\n", size / 1048576, (size <= 12000000 ? "ok" : "MISSED")
}'
