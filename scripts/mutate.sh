#!/bin/sh
# Second look at the mutants gremlins reports NOT COVERED. Go's coverage
# profile has no block for a switch's case expressions, so gremlins calls
# every mutant there "not covered" although the tests run it. This script
# applies each such mutant, one at a time, through `go test -overlay` (the
# real files are never edited) and runs the package's -short tests.
#
#   gremlins unleash ./internal/lock | scripts/mutate.sh ./internal/lock
#
# Reads gremlins' lines "NOT COVERED KIND at FILE:LINE:COL" on stdin and
# prints KILLED, LIVED or NOT VIABLE (does not build) for each, then a
# total. Kinds: CONDITIONALS_NEGATION, CONDITIONALS_BOUNDARY,
# ARITHMETIC_BASE, INVERT_NEGATIVES, INCREMENT_DECREMENT. A mutant whose
# tests hang until go test's timeout is TIMED OUT, not KILLED.
set -eu
pkg=${1:?usage: gremlins unleash ./PKG | scripts/mutate.sh ./PKG}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
grep 'NOT COVERED' | while read -r _ _ kind _ where; do
	file=${where%%:*} rest=${where#*:}
	line=${rest%%:*} col=${rest#*:}
	src=$root/${pkg#./}/$file
	# Mutate the operator that starts at byte column col of line; the file
	# may be in a sub-package (kumaapi/kumatest/...).
	mkdir -p "$(dirname "$work/$file")"
	if ! LC_ALL=C awk -v L="$line" -v C="$col" -v K="$kind" '
	function swap(op) {
		if (K == "CONDITIONALS_NEGATION") {
			if (op == "==") return "!="; if (op == "!=") return "=="
			if (op == "<=") return ">";  if (op == ">=") return "<"
			if (op == "<") return ">=";  if (op == ">") return "<="
		} else if (K == "CONDITIONALS_BOUNDARY") {
			if (op == "<=") return "<"; if (op == ">=") return ">"
			if (op == "<") return "<="; if (op == ">") return ">="
		} else if (K == "ARITHMETIC_BASE") {
			if (op == "+") return "-"; if (op == "-") return "+"
			if (op == "*") return "/"; if (op == "/") return "*"
			if (op == "%") return "*"
		} else if (K == "INVERT_NEGATIVES") {
			if (op == "-") return ""
		} else if (K == "INCREMENT_DECREMENT") {
			if (op == "++") return "--"; if (op == "--") return "++"
		}
		return "?"
	}
	NR == L {
		two = substr($0, C, 2); one = substr($0, C, 1)
		op = (two ~ /^(==|!=|<=|>=|\+\+|--)$/) ? two : one
		new = swap(op)
		if (new == "?") { bad = 1; exit 1 }
		$0 = substr($0, 1, C - 1) new substr($0, C + length(op))
		done = 1
	}
	{ print }
	END { if (bad || !done) exit 1 }' "$src" >"$work/$file"; then
		echo "SKIPPED $kind at $where"
		continue
	fi
	printf '{"Replace":{"%s":"%s"}}\n' "$src" "$work/$file" >"$work/overlay.json"
	if out=$(cd "$root" && go test -count=1 -short -timeout 60s -overlay "$work/overlay.json" "$pkg" 2>&1); then
		echo "LIVED $kind at $where: $(sed -n "${line}p" "$work/$file" | sed 's/^[[:space:]]*//')"
	elif echo "$out" | grep -q 'build failed\|setup failed'; then
		echo "NOT VIABLE $kind at $where"
	elif echo "$out" | grep -q 'panic: test timed out'; then
		echo "TIMED OUT $kind at $where"
	else
		echo "KILLED $kind at $where"
	fi
done | awk '{ print; n[$1]++ }
END { printf "killed %d, lived %d, timed out %d, not viable %d, skipped %d\n", n["KILLED"], n["LIVED"], n["TIMED"], n["NOT"], n["SKIPPED"] }'
