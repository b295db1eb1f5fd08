#!/bin/sh
# Measures what opkuma costs in front of a job, against the one-liner people
# write instead (job && curl ... URL), with a stand-in push route on
# 127.0.0.1. Prints a table; README's Performance section shows one.
#
#   scripts/bench.sh [ROUNDS]        (default 30 rounds)
#
# Needs go, curl and GNU time (/usr/bin/time); uses hyperfine when present
# for the timings, else its own alternating loop over GNU date's
# nanoseconds.
set -eu

rounds=${1:-30}
batch=10 # runs timed together in the fallback loop, to hide date's own cost
cd "$(dirname "$0")/.."

. scripts/bench-setup.sh
need go "https://go.dev/dl"
need curl "apt-get install curl"
[ -x /usr/bin/time ] || { echo "bench: GNU time is needed: apt-get install time" >&2; exit 1; }

start_stand_in

run_true() { /bin/true; }
run_curl() { sh -c "/bin/true && curl -fsS -m 10 '$url' >/dev/null"; }
run_opkuma() { "$opkuma" run --url "$url" -- /bin/true; }

if command -v hyperfine >/dev/null 2>&1; then
	timer="hyperfine, $rounds rounds of 20 runs each, commands alternating by round"
	for r in $(seq "$rounds"); do
		hyperfine -N --warmup 2 --runs 20 --export-csv "$tmp/h.csv" \
			"/bin/true" \
			"sh -c '/bin/true && curl -fsS -m 10 $url >/dev/null'" \
			"$opkuma run --url $url -- /bin/true" >/dev/null 2>&1
		# median column, in seconds -> milliseconds
		awk -F, 'NR == 2 { print $4 * 1000 > "'"$tmp"'/true.ms" }
		         NR == 3 { print $4 * 1000 > "'"$tmp"'/curl.ms" }
		         NR == 4 { print $4 * 1000 > "'"$tmp"'/opkuma.ms" }' "$tmp/h.csv"
		for n in true curl opkuma; do cat "$tmp/$n.ms" >>"$tmp/$n.all"; done
	done
else
	timer="alternating loop, $rounds rounds of $batch runs, GNU date"
	for r in $(seq "$rounds"); do
		for n in true curl opkuma; do
			t0=$(date +%s%N)
			i=0
			while [ $i -lt $batch ]; do "run_$n"; i=$((i + 1)); done
			t1=$(date +%s%N)
			echo "$t0 $t1" | awk -v b=$batch '{ printf "%.3f\n", ($2 - $1) / 1e6 / b }' >>"$tmp/$n.all"
		done
	done
fi
m_true=$(median "$tmp/true.all" | awk '{ printf "%.2f", $1 }')
m_curl=$(median "$tmp/curl.all" | awk '{ printf "%.2f", $1 }')
m_opkuma=$(median "$tmp/opkuma.all" | awk '{ printf "%.2f", $1 }')
m_version=$(if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -N --warmup 3 --runs 100 --export-csv "$tmp/v.csv" "$opkuma --version" >/dev/null 2>&1
	awk -F, 'NR == 2 { printf "%.2f", $4 * 1000 }' "$tmp/v.csv"
else echo "n/a"; fi)

# One loopback round trip: the push's own cost, as curl sees it.
rtt=$(for i in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' "$url"; done | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] * 1000 }')

# Peak RSS (KiB) of opkuma running a job that prints 1 GB.
rss() { /usr/bin/time -f %M "$opkuma" run "$@" --url "$url" -- sh -c 'head -c 1000000000 /dev/zero' 2>&1 >/dev/null | tail -n 1; }
rss_plain=$(rss)
rss_down=$(rss --down-on-failure)
rss_quiet=$(TMPDIR="$tmp" rss --quiet-success)

size=$(wc -c <"$opkuma")

verdict() { if awk "BEGIN { exit !($1) }"; then echo "ok"; else echo "MISSED"; fi; }

cat <<EOF

opkuma benchmark: $(go version | cut -d' ' -f3), $(uname -sm), $(nproc) cores
timings: $timer; medians in ms

| measure | value | target | |
| --- | --- | --- | --- |
| \`/bin/true\` | $m_true ms | | |
| \`sh -c 'true && curl -fsS -m 10 URL'\` | $m_curl ms | | |
| \`opkuma run --url URL -- true\` | $m_opkuma ms | <= the curl one-liner | $(verdict "$m_opkuma <= $m_curl") |
| \`opkuma --version\` (start-up alone) | $m_version ms | | |
| opkuma / curl one-liner | $(awk "BEGIN { printf \"%.2f\", $m_opkuma / $m_curl }") | <= 1 | |
| opkuma - \`/bin/true\` - round trip | $(awk "BEGIN { printf \"%.2f\", $m_opkuma - $m_true - $rtt }") ms | <= 2 ms | $(verdict "$m_opkuma - $m_true - $rtt <= 2") |
| loopback round trip (curl's time_total) | $rtt ms | | |
| peak RSS, job prints 1 GB | $((rss_plain / 1024)) MB | <= 15 MB | $(verdict "$rss_plain <= 15 * 1024") |
| same, \`--down-on-failure\` | $((rss_down / 1024)) MB | <= 15 MB | $(verdict "$rss_down <= 15 * 1024") |
| same, \`--quiet-success\` | $((rss_quiet / 1024)) MB | <= 15 MB | $(verdict "$rss_quiet <= 15 * 1024") |
| binary, stripped (\`-s -w -trimpath\`) | $size bytes ($(awk "BEGIN { printf \"%.2f\", $size / 1048576 }") MiB) | <= 8 MB | $(verdict "$size <= 8000000") |
EOF
