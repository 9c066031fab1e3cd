#!/usr/bin/env bash
# Build the leakhunt QuickJS-ng dumper and the tenants embedder from the real QuickJS-ng source,
# run the embedder, and write its dumps (gzip) and counters into OUT_DIR.
#
#   contrib/quickjs/build.sh [OUT_DIR]     default: fixtures/quickjs (the committed fixture)
#
# The source is the quickjs-ng sdist on PyPI (its upstream-quickjs/ folder is QuickJS-ng itself),
# downloaded once with pip into $LEAKHUNT_QUICKJS_BUILD (default contrib/quickjs/build/, git-ignored)
# and checked against the SHA-256 below. Needs python3 with pip, gcc, gzip. No other network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$(mkdir -p "${1:-$ROOT/fixtures/quickjs}" && cd "${1:-$ROOT/fixtures/quickjs}" && pwd)"
BUILD="${LEAKHUNT_QUICKJS_BUILD:-$HERE/build}"
SDIST_VERSION=0.17.0.2            # PyPI quickjs-ng; its upstream-quickjs/ is QuickJS-ng 0.17.0
SDIST_SHA256=43d2e48272208721a7aaea8e3f02d4b9318f12ef20cc4f5421b59d9a470706ef
CC="${CC:-gcc}"

mkdir -p "$BUILD"
SDIST="$BUILD/quickjs_ng-$SDIST_VERSION.tar.gz"
if [ ! -f "$SDIST" ]; then
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
        --dest "$BUILD" "quickjs-ng==$SDIST_VERSION"
fi
echo "$SDIST_SHA256  $SDIST" | sha256sum --check --quiet
SRC="$BUILD/quickjs_ng-$SDIST_VERSION/upstream-quickjs"
[ -f "$SRC/quickjs.c" ] || tar -xzf "$SDIST" -C "$BUILD"

OBJ="$BUILD/obj"
mkdir -p "$OBJ"
CFLAGS=(-O1 -g -D_GNU_SOURCE -I"$SRC" -I"$HERE")
for unit in dtoa libregexp libunicode; do
    [ -f "$OBJ/$unit.o" ] || "$CC" "${CFLAGS[@]}" -w -c "$SRC/$unit.c" -o "$OBJ/$unit.o"
done
# quickjs.c's warnings are upstream's; the embedder builds with -Wall -Werror.
"$CC" "${CFLAGS[@]}" -w -c "$HERE/quickjs_leakhunt.c" -o "$OBJ/quickjs_leakhunt.o"
"$CC" "${CFLAGS[@]}" -Wall -Wextra -Werror -c "$HERE/tenants.c" -o "$OBJ/tenants.o"
"$CC" -o "$BUILD/tenants" "$OBJ/tenants.o" "$OBJ/quickjs_leakhunt.o" \
    "$OBJ/dtoa.o" "$OBJ/libregexp.o" "$OBJ/libunicode.o" -lm -lpthread

RUN="$(mktemp -d)"
trap 'rm -rf "$RUN"' EXIT
"$BUILD/tenants" "$RUN"
for dump in tenants-1 tenants-2; do
    gzip -n -9 -c "$RUN/$dump.rootdump.json" > "$OUT/$dump.rootdump.json.gz"
done
cp "$RUN/tenants.counters.json" "$OUT/tenants.counters.json"
echo "wrote $OUT/tenants-1.rootdump.json.gz, tenants-2.rootdump.json.gz, tenants.counters.json"
