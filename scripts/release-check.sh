#!/bin/sh
# Proves .goreleaser.yaml: installs a pinned goreleaser through the Go module
# proxy (cached under .cache/, which git ignores), checks the configuration
# and builds every archive and package as a snapshot, publishing nothing.
# Then looks inside the .deb: the binary runs and reports its version, it
# links no markdown library (go version -m), and the completions and man
# page are where the package says.
#
#   scripts/release-check.sh           check + snapshot build into dist/
#   scripts/release-check.sh --check   goreleaser check only
set -eu
cd "$(dirname "$0")/.."

# v2.15.1: the newest release whose dependencies the module proxy serves
# (v2.17.0 needs go.digitalxero.dev/go-msix, refused) and that builds with
# Go 1.26 (v2.18 wants Go 1.27).
GORELEASER_VERSION=v2.15.1
bin="$PWD/.cache/bin"
gr="$bin/goreleaser-$GORELEASER_VERSION"

if [ ! -x "$gr" ]; then
	echo "release-check: installing goreleaser $GORELEASER_VERSION into .cache/bin" >&2
	mkdir -p "$bin"
	GOBIN="$bin" go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION"
	mv "$bin/goreleaser" "$gr"
fi

"$gr" check
[ "${1:-}" = "--check" ] && exit 0

"$gr" release --snapshot --clean --skip=publish

echo "== artefacts"
ls -l dist/*.tar.gz dist/*.deb dist/*.rpm dist/*.apk dist/checksums.txt
(cd dist && sha256sum -c checksums.txt >/dev/null) && echo "checksums.txt: all match"

echo "== inside the amd64 .deb"
deb=$(ls dist/*_amd64.deb)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if command -v dpkg-deb >/dev/null 2>&1; then
	dpkg-deb -x "$deb" "$tmp"
	dpkg-deb -I "$deb" | grep -E '^ (Package|Version|Architecture):'
else
	(cd "$tmp" && ar x "$OLDPWD/$deb" && tar -xzf data.tar.gz)
fi
for f in usr/bin/opkuma usr/share/bash-completion/completions/opkuma \
	usr/share/zsh/vendor-completions/_opkuma usr/share/fish/vendor_completions.d/opkuma.fish \
	usr/share/man/man1/opkuma.1.gz; do
	[ -e "$tmp/$f" ] || { echo "release-check: $f missing from $deb" >&2; exit 1; }
	echo "  /$f"
done
"$tmp/usr/bin/opkuma" --version
if go version -m "$tmp/usr/bin/opkuma" | grep -E 'blackfriday|go-md2man'; then
	echo "release-check: the released binary links a markdown library (build it with -tags urfave_cli_no_docs)" >&2
	exit 1
fi
echo "  no markdown library linked (go version -m)"
bash -n "$tmp/usr/share/bash-completion/completions/opkuma"
if command -v zsh >/dev/null 2>&1; then zsh -n "$tmp/usr/share/zsh/vendor-completions/_opkuma"; fi
gzip -dc "$tmp/usr/share/man/man1/opkuma.1.gz" | grep -q '^\.SS "opkuma run"$' ||
	{ echo "release-check: the man page has no opkuma run section" >&2; exit 1; }
if command -v man >/dev/null 2>&1; then
	man -l "$tmp/usr/share/man/man1/opkuma.1.gz" 2>/dev/null | head -n 3
fi
