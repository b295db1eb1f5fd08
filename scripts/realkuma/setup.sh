#!/usr/bin/env bash
# Install a REAL Uptime Kuma server (1.23.x or 2.x) for opkuma's end-to-end tests
# (internal/realkuma); needs node, npm (the npm registry only), a C compiler, curl, tar and sqlite3.
#
#   scripts/realkuma/setup.sh SOURCE TARGET [VERSION]
#
# SOURCE   Uptime Kuma's sources (louislam/uptime-kuma, MIT: see LICENSE inside), one of:
#          - an archive of the tree at a tag: as `git archive` writes it (package.json at its
#            top) or as GitHub serves it (.../archive/refs/tags/2.5.3.tar.gz: one top dir);
#          - a directory holding uptime-kuma-VERSION.tar.gz (CI's ../shared/realkuma);
#          - a clone of louislam/uptime-kuma (bare or not): VERSION is a tag or commit in it.
#          CONTRIBUTING.md calls it $OPKUMA_REAL_KUMA_SRC.
# TARGET   where it goes: TARGET/src (sources + node_modules), TARGET/data (DATA_DIR),
#          TARGET/setup-result.json ({"pushToken": ..., "monitorID": ..., "username": ..., "password": ...})
# VERSION  needed with a directory or a clone (1.23.17, 2.5.3). With an archive: its package.json's
#          version (giving another is an error).
#
# Examples (about 30 s each, from the top of the clone):
#   scripts/realkuma/setup.sh ../shared/realkuma /tmp/kuma1 1.23.17
#   scripts/realkuma/setup.sh ~/src/uptime-kuma.git /tmp/kuma2 2.5.3
#   scripts/realkuma/setup.sh ~/Downloads/uptime-kuma-2.5.3.tar.gz /tmp/kuma2
#
# Steps: the sources extracted into TARGET/src; npm ci --omit=dev with @louislam/sqlite3 built
# from source against the installed node's headers (no download); an empty dist/index.html (no
# frontend is needed for the push route); then the server is started on a free 127.0.0.1 port with
# DATA_DIR=TARGET/data, and kuma-setup.js (beside this script) makes over socket.io: the admin
# user, a push monitor "opkuma-test" (32-character token, interval 60 s, retries 0); the server
# is stopped by its PID. 2.x gets a data/db-config.json choosing SQLite.
#
# Re-runnable: a step already done is skipped (sources of the same version, a built sqlite3, a
# setup-result.json whose token is in TARGET/data/kuma.db). To set the data up again:
#   rm -rf TARGET/data TARGET/setup-result.json
# Environment (optional): NODEDIR (node headers' prefix; default: the prefix of the node found in PATH),
# SQLITE_PREFIX (link against this system SQLite; default: pkg-config's, else sqlite3's bundled copy),
# PORT (port for the setup run; default: a free one).
#
# Then: OPKUMA_REAL_KUMA=TARGET[:TARGET2] go test ./internal/realkuma ./cmd (CONTRIBUTING.md).
set -euo pipefail

me=setup-realkuma
here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: $0 SOURCE TARGET [VERSION]   (SOURCE: an uptime-kuma archive, a dir of uptime-kuma-VERSION.tar.gz, or a clone)" >&2; exit 2; }
die() { echo "$me: $*" >&2; exit 1; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
SOURCE=$1
WANT=${3:-}
for c in tar node npm curl sqlite3; do command -v "$c" >/dev/null || die "$c is needed and not in PATH"; done
[ -f "$here/kuma-setup.js" ] || die "no $here/kuma-setup.js: run the setup.sh of a complete clone"
GITDIR=
if [ -d "$SOURCE" ]; then
    if [ -n "$WANT" ] && [ -f "$SOURCE/uptime-kuma-$WANT.tar.gz" ]; then
        SOURCE=$SOURCE/uptime-kuma-$WANT.tar.gz
    elif [ -d "$SOURCE/.git" ]; then
        GITDIR=$SOURCE/.git
    elif git --git-dir="$SOURCE" rev-parse -q --git-dir >/dev/null 2>&1; then
        GITDIR=$SOURCE
    else
        [ -n "$WANT" ] || die "$SOURCE is a directory: give the version as third argument (1.23.17, 2.5.3)"
        die "$SOURCE: no uptime-kuma-$WANT.tar.gz in it, and not a clone of louislam/uptime-kuma"
    fi
fi
if [ -n "$GITDIR" ]; then
    command -v git >/dev/null || die "git is needed for a clone as SOURCE"
    [ -n "$WANT" ] || die "$SOURCE is a clone: give the tag as third argument (1.23.17, 2.5.3)"
    ARCHIVE=
    VERSION=$WANT
    COMMIT=$(git --git-dir="$GITDIR" rev-parse -q --verify "$VERSION^{commit}") || die "$VERSION: no such tag or commit in $SOURCE"
    STRIP=0
elif [ -f "$SOURCE" ]; then # an archive: package.json at its top (git archive) or in its one top dir (GitHub)
    ARCHIVE=$(cd "$(dirname "$SOURCE")" && pwd)/$(basename "$SOURCE")
    members=$(tar -tzf "$ARCHIVE") || die "$SOURCE: not a .tar.gz archive"
    top=${members%%/*}
    if grep -qx package.json <<<"$members"; then
        pkg=package.json STRIP=0
    elif grep -qx ./package.json <<<"$members"; then
        pkg=./package.json STRIP=0
    elif grep -qxF "$top/package.json" <<<"$members"; then
        pkg=$top/package.json STRIP=1
    else
        die "$SOURCE: not an Uptime Kuma source archive (no package.json at its top)"
    fi
    v=$(tar -xzOf "$ARCHIVE" "$pkg" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).version))') ||
        die "$SOURCE: its $pkg has no version"
    [ -z "$WANT" ] || [ "$WANT" = "$v" ] || die "$SOURCE holds Uptime Kuma $v, not $WANT"
    VERSION=$v
    COMMIT=archive-$VERSION-$(sha256sum "$ARCHIVE" | cut -c1-16)
else
    die "$SOURCE: no such archive, directory or clone"
fi
mkdir -p "$2"
TARGET=$(cd "$2" && pwd)
SRC=$TARGET/src
DATA=$TARGET/data
RESULT=$TARGET/setup-result.json
STAMP=$SRC/.setup-realkuma-commit

# 1. Sources.
if [ -f "$SRC/server/server.js" ]; then
    have=$(cat "$STAMP" 2>/dev/null || true)
    if [ -z "$have" ]; then # installed by hand: trust package.json's version
        v=$(node -p 'require(process.argv[1]).version' "$SRC/package.json")
        [ "$v" = "$VERSION" ] || die "$SRC holds Uptime Kuma $v, not $VERSION: use another TARGET or remove it"
        echo "$COMMIT" >"$STAMP"
    elif [ "$have" != "$COMMIT" ]; then
        die "$SRC holds commit $have, not $VERSION ($COMMIT): use another TARGET or remove it"
    fi
    echo "$me: sources of $VERSION already in $SRC"
else
    mkdir -p "$SRC"
    if [ -n "$ARCHIVE" ]; then
        tar -xzf "$ARCHIVE" -C "$SRC" --strip-components="$STRIP"
    else
        git --git-dir="$GITDIR" archive "$COMMIT" | tar -x -C "$SRC"
    fi
    echo "$COMMIT" >"$STAMP"
    echo "$me: sources of $VERSION ($COMMIT) extracted into $SRC"
fi

# 2. Dependencies; @louislam/sqlite3 is compiled here (no prebuilt binary can be downloaded).
if compgen -G "$SRC/node_modules/@louislam/sqlite3/lib/binding/*/node_sqlite3.node" >/dev/null &&
    [ -d "$SRC/node_modules/socket.io-client" ]; then
    echo "$me: node_modules already built"
else
    NODEDIR=${NODEDIR:-$(dirname "$(dirname "$(node -p process.execPath)")")}
    [ -f "$NODEDIR/include/node/node.h" ] ||
        echo "$me: warning: no $NODEDIR/include/node/node.h: node-gyp will try to download node's headers (set NODEDIR)" >&2
    SQLITE_PREFIX=${SQLITE_PREFIX-$(pkg-config --variable=prefix sqlite3 2>/dev/null || true)}
    sq=()
    [ -n "$SQLITE_PREFIX" ] && sq=("npm_config_sqlite=$SQLITE_PREFIX")
    echo "$me: npm ci in $SRC (nodedir $NODEDIR, sqlite ${SQLITE_PREFIX:-bundled})"
    (cd "$SRC" && env npm_config_nodedir="$NODEDIR" npm_config_build_from_source=true ${sq[@]+"${sq[@]}"} \
        npm ci --omit=dev --no-audit --no-fund --foreground-scripts) >"$TARGET/npm-ci.log" 2>&1 ||
        { tail -20 "$TARGET/npm-ci.log" >&2; die "npm ci failed: see $TARGET/npm-ci.log"; }
    compgen -G "$SRC/node_modules/@louislam/sqlite3/lib/binding/*/node_sqlite3.node" >/dev/null ||
        die "npm ci ended but @louislam/sqlite3 has no binding: see $TARGET/npm-ci.log"
fi
# The server serves dist/index.html for every page; the push API needs no frontend build.
[ -f "$SRC/dist/index.html" ] || { mkdir -p "$SRC/dist" && echo '<html></html>' >"$SRC/dist/index.html"; }

# 3. Admin user and push monitor.
if [ -f "$RESULT" ]; then
    TOK=$(node -p 'require(process.argv[1]).pushToken' "$RESULT")
    [ -f "$DATA/kuma.db" ] && [ "$(sqlite3 "$DATA/kuma.db" "SELECT count(*) FROM monitor WHERE push_token='$TOK';")" = 1 ] ||
        die "$RESULT names a monitor that $DATA/kuma.db lacks: rm -rf $DATA $RESULT and run again"
    echo "$me: already set up: push monitor token in $RESULT"
    exit 0
fi
[ ! -f "$DATA/kuma.db" ] || die "$DATA/kuma.db exists but $RESULT does not (a setup that failed?): rm -rf $DATA and run again"
mkdir -p "$DATA"
# 2.x without data/db-config.json starts a "setup database" page instead of the server: choose SQLite.
if [ -f "$SRC/server/setup-database.js" ] && [ ! -f "$DATA/db-config.json" ]; then
    printf '{\n    "type": "sqlite"\n}\n' >"$DATA/db-config.json"
fi


PORT=${PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
(cd "$SRC" && UPTIME_KUMA_HOST=127.0.0.1 UPTIME_KUMA_PORT=$PORT DATA_DIR="$DATA/" exec node server/server.js) \
    >"$TARGET/setup-server.log" 2>&1 &
SP=$!
stop() { # this server only, by its PID: SIGTERM, up to 30 s for its graceful shutdown, then SIGKILL
    kill -0 "$SP" 2>/dev/null || return 0
    kill "$SP" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$SP" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$SP" 2>/dev/null && kill -9 "$SP" 2>/dev/null
    wait "$SP" 2>/dev/null || true
}
trap stop EXIT
echo "$me: server started (PID $SP, port $PORT, log $TARGET/setup-server.log)"
# Ready when /api/entry-page answers as the main server ("entryPage"), not as 2.x's database setup
# page ("setup-database"); 2.x's migration server answers 404 there.
for i in $(seq 360); do
    case $(curl -fs "http://127.0.0.1:$PORT/api/entry-page" 2>/dev/null || true) in *'"entryPage"'*) break ;; esac
    kill -0 "$SP" 2>/dev/null || { tail -20 "$TARGET/setup-server.log" >&2; die "the server exited: see $TARGET/setup-server.log"; }
    [ "$i" = 360 ] && { tail -20 "$TARGET/setup-server.log" >&2; die "the server did not answer in 180 s"; }
    sleep 0.5
done
NODE_PATH="$SRC/node_modules" node "$here/kuma-setup.js" "http://127.0.0.1:$PORT" "$RESULT" "$VERSION"
stop
TOK=$(node -p 'require(process.argv[1]).pushToken' "$RESULT")
[ "$(sqlite3 "$DATA/kuma.db" "SELECT count(*) FROM monitor WHERE push_token='$TOK' AND type='push';")" = 1 ] ||
    die "the monitor is not in $DATA/kuma.db"
echo "$me: done: Uptime Kuma $VERSION in $TARGET, server stopped"
