#!/bin/sh
# Runs README.md as a newcomer would, in a fresh copy of the repository:
#
# 1. every command line of the sh blocks of its Quick start must succeed,
#    as printed, with two stand-ins: /usr/local/bin (where the README
#    installs opkuma) is a temporary directory, so the check needs no root
#    and leaves the machine alone; "go install github.com/opkuma/opkuma@..."
#    installs from the copy (".") instead of fetching the published module.
#    "go test ./..." is skipped (CI has just run it).
# 2. every crontab line of the README goes through "opkuma crontab"
#    (scripts/readme-crontab-check.sh, with the binary step 1 installed),
#    which must find nothing to fix.
set -eu
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A copy of the working tree (what CI checks before a commit), without .git.
mkdir -p "$tmp/src"
git ls-files --cached --others --exclude-standard | while IFS= read -r f; do
	[ -f "$f" ] && cp --parents "$f" "$tmp/src"
done
bin="$tmp/bin"
mkdir -p "$bin"

awk '/^## /{ quick = ($0 == "## Quick start") } quick && /^```sh$/{ code = 1; next } /^```/{ code = 0 } quick && code' README.md |
	sed 's/[[:space:]][[:space:]]*#.*$//; s/[[:space:]]*$//; /^$/d' >"$tmp/steps"
[ -s "$tmp/steps" ] || { echo "readme-check: no sh block in README's Quick start" >&2; exit 1; }

n=0
while IFS= read -r line; do
	n=$((n + 1))
	case "$line" in
	"go test ./...")
		echo "readme-check: $line: skipped, CI ran it"
		continue ;;
	esac
	run=$(printf '%s\n' "$line" | sed "s#/usr/local/bin#$bin#g; s#github.com/opkuma/opkuma@[^ ]*#.#")
	echo "readme-check: $line"
	(cd "$tmp/src" && PATH="$bin:$PATH" sh -c "$run") </dev/null ||
		{ echo "readme-check: step $n failed: $line" >&2; exit 1; }
done <"$tmp/steps"
[ -x "$bin/opkuma" ] || { echo "readme-check: the quick start installed no /usr/local/bin/opkuma" >&2; exit 1; }
echo "readme-check: quick start ok ($n steps)"

# Every crontab line of the README, through the audit of the binary the
# quick start installed.
OPKUMA="$bin/opkuma" sh scripts/readme-crontab-check.sh README.md
