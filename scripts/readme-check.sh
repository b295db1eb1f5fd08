#!/bin/sh
# Runs README.md as a newcomer would, in a fresh copy of the repository:
#
# 1. every command line of the sh blocks of its Quick start must succeed,
#    as printed, with three stand-ins that leave the machine alone and need
#    no root: /usr/local/bin (where the README installs opkuma) is a
#    temporary directory, a leading "sudo " is dropped, and GOPATH (where
#    "go install" puts the binary) is a temporary directory too; the module
#    and build caches are the usual ones, so this is a warm build. A "go
#    test" line is skipped: .ci/run runs the README's install and test
#    blocks (<!-- ci: install -->, <!-- ci: test -->) as printed, in a
#    fresh clone with empty caches.
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
# Keep the caches warm, put what go install builds under $tmp.
GOMODCACHE=$(go env GOMODCACHE)
GOCACHE=$(go env GOCACHE)
GOPATH="$tmp/gopath"
GOBIN=
export GOMODCACHE GOCACHE GOPATH GOBIN

awk '/^## /{ quick = ($0 == "## Quick start") } quick && /^```sh$/{ code = 1; next } /^```/{ code = 0 } quick && code' README.md |
	sed 's/[[:space:]][[:space:]]*#.*$//; s/[[:space:]]*$//; /^$/d' >"$tmp/steps"
[ -s "$tmp/steps" ] || { echo "readme-check: no sh block in README's Quick start" >&2; exit 1; }

n=0
while IFS= read -r line; do
	n=$((n + 1))
	case "$line" in
	"go test"*)
		echo "readme-check: $line: skipped, .ci/run runs it in a fresh clone"
		continue ;;
	esac
	run=$(printf '%s\n' "$line" | sed "s#/usr/local/bin#$bin#g; s#^sudo ##")
	echo "readme-check: $line"
	(cd "$tmp/src" && PATH="$bin:$PATH" sh -c "$run") </dev/null ||
		{ echo "readme-check: step $n failed: $line" >&2; exit 1; }
done <"$tmp/steps"
[ -x "$bin/opkuma" ] || { echo "readme-check: the quick start installed no /usr/local/bin/opkuma" >&2; exit 1; }
echo "readme-check: quick start ok ($n steps)"

# Every crontab line of the README, through the audit of the binary the
# quick start installed.
OPKUMA="$bin/opkuma" sh scripts/readme-crontab-check.sh README.md
