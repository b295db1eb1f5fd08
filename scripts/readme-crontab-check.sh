#!/bin/sh
# Runs every crontab line of README.md through `opkuma crontab` and fails
# if any is flagged, so the README's crontab examples cannot drift into
# the traps the audit knows (unquoted URL, bare %, opkuma not on cron's
# PATH, no --, ...).
#
# A crontab line is a line of a fenced code block that starts with 5 time
# fields or an @ macro and whose command calls opkuma. Each code block
# holding one is audited as one crontab, with its NAME=value and comment
# lines (a PATH= set in the block counts); a block whose entries have a
# user field before opkuma (/etc/cron.d style) is read with --system. A
# block with "$ " prompts is a terminal session (commands and their
# output), not a crontab, and is skipped.
# The audit runs with --no-exec-check: the examples' jobs and URL files
# (/usr/local/bin/backup.sh, /etc/opkuma/backup.url) need not exist on the
# machine that checks the README.
#
#   scripts/readme-crontab-check.sh [README]          (default README.md)
#   OPKUMA=/path/to/opkuma scripts/readme-crontab-check.sh
set -eu
cd "$(dirname "$0")/.."
readme=${1:-README.md}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

bin=${OPKUMA:-}
if [ -z "$bin" ]; then
	go build -o "$tmp/opkuma" .
	bin=$tmp/opkuma
fi

# Split the README's code blocks into $tmp/block.N (the block's crontab
# lines), $tmp/block.N.lines (the README line number of each) and
# $tmp/block.N.system (present for a system crontab).
awk -v dir="$tmp" '
function isEntry(line,   f, n, first) {
	n = split(line, f, /[ \t]+/)
	first = (f[1] == "" ? 2 : 1)
	if (f[first] ~ /^@[a-z]+$/) return first + 1
	if (n - first + 1 < 6) return 0
	if (f[first] !~ /^[0-9*]/) return 0
	for (i = first; i < first + 5; i++)
		if (f[i] !~ /^[0-9*][0-9*,\/-]*$/ && f[i] !~ /^[A-Za-z][A-Za-z][A-Za-z]([-,][A-Za-z0-9]+)*$/) return 0
	return first + 5
}
function isOpkuma(w) { return w ~ /(^|\/)opkuma$/ }
function flush(   i) {
	if (calls && !session) {
		n++
		for (i = 1; i <= count; i++) {
			print text[i] > (dir "/block." n)
			print num[i] > (dir "/block." n ".lines")
		}
		close(dir "/block." n); close(dir "/block." n ".lines")
		if (sys) { print "" > (dir "/block." n ".system"); close(dir "/block." n ".system") }
	}
	count = 0; calls = 0; sys = 0; session = 0
}
/^[ \t]*```/ { if (inblock) flush(); inblock = !inblock; next }
inblock && /^\$ / { session = 1 }
inblock {
	c = isEntry($0)
	if (c) {
		split($0, g, /[ \t]+/)
		if (index($0, "opkuma") == 0) next
		if (isOpkuma(g[c])) calls = 1
		else if (isOpkuma(g[c + 1])) { calls = 1; sys = 1 }
		else next
	} else if ($0 !~ /^[ \t]*(#|[A-Za-z_][A-Za-z0-9_]*[ \t]*=|$)/) {
		next
	}
	count++; text[count] = $0; num[count] = NR
}
' "$readme"

status=0
lines=0
for block in "$tmp"/block.*; do
	case $block in *.lines | *.system) continue ;; esac
	[ -e "$block" ] || continue
	system=
	[ -e "$block.system" ] && system=--system
	lines=$((lines + $(grep -c -v '^[ \t]*\(#\|$\|[A-Za-z_][A-Za-z0-9_]*[ \t]*=\)' "$block" || true)))
	# shellcheck disable=SC2086 # $system is one flag or nothing
	if ! "$bin" crontab $system --no-exec-check - <"$block" >"$tmp/out" 2>"$tmp/err"; then
		status=1
		# -:N: ... becomes README.md:LINE: ...
		awk -v readme="$readme" -v map="$block.lines" '
			BEGIN { while ((getline l < map) > 0) line[++n] = l }
			/^-:[0-9]+: problem:/ { split($0, p, ":"); sub(/^-:[0-9]+:/, readme ":" line[p[2]] ":"); print }
		' "$tmp/out"
		cat "$tmp/err" >&2
	fi
done
if [ "$status" -ne 0 ]; then
	echo "readme-crontab-check: $readme has crontab lines that opkuma crontab flags (above)" >&2
	exit 1
fi
echo "readme-crontab-check: $lines crontab lines of $readme pass opkuma crontab"
