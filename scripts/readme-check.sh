#!/bin/sh
# Runs README.md's quick start as a newcomer would, in a fresh clone: every
# command line of its sh blocks must succeed. Two lines are stood in for:
# "go install github.com/opkuma/opkuma@latest" becomes "go install ." in the
# clone (the same build, without fetching the published module), and
# "go test ./..." is skipped (CI has just run it).
set -eu
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q . "$tmp/src" 2>/dev/null || { mkdir -p "$tmp/src" && git ls-files -z | xargs -0 cp --parents -t "$tmp/src"; }
mkdir -p "$tmp/bin"

awk '/^## /{ quick = ($0 == "## Quick start") } quick && /^```sh$/{ code = 1; next } /^```/{ code = 0 } quick && code' README.md |
	sed 's/[[:space:]][[:space:]]*#.*$//; s/[[:space:]]*$//; /^$/d' >"$tmp/steps"
[ -s "$tmp/steps" ] || { echo "readme-check: no sh block in README's Quick start" >&2; exit 1; }

n=0
while IFS= read -r line; do
	n=$((n + 1))
	case "$line" in
	"go install github.com/opkuma/opkuma@latest")
		run="go install ." ;;
	"go test ./...")
		echo "readme-check: $line: skipped, CI ran it"
		continue ;;
	*) run=$line ;;
	esac
	echo "readme-check: $line"
	(cd "$tmp/src" && GOBIN="$tmp/bin" PATH="$tmp/bin:$PATH" sh -c "$run") </dev/null ||
		{ echo "readme-check: step $n failed: $line" >&2; exit 1; }
done <"$tmp/steps"
echo "readme-check: quick start ok ($n steps)"
