#!/bin/sh
# Root-dump overlay and `cycles` against `top --no-cache` on the benchmark snapshot (issue 9).
# Usage: [ROUNDS=5] bench/rootdump.sh [SNAPSHOT] [DUMP]   (DUMP is generated if absent; run from
# the repo root). The commands run in interleaved rounds; the second table gives each command's
# wall time over `top`'s in the same round, which a drifting machine disturbs least.
# Three forms of the same dump: records, `edge_columns`, and fully columnar (`edge_columns` and
# `native_columns`).
set -eu
SNAPSHOT=${1:-bench/data/bench-s1.heapsnapshot}
DUMP=${2:-${TMPDIR:-/tmp}/bench-s1.rootdump.json}
COLUMNS=${DUMP%.json}.columns.json
ALL_COLUMNS=${DUMP%.json}.all-columns.json
[ -f "$DUMP" ] || python3 bench/gen_rootdump.py "$SNAPSHOT" "$DUMP"
[ -f "$COLUMNS" ] || python3 bench/gen_rootdump.py --columnar "$SNAPSHOT" "$COLUMNS"
[ -f "$ALL_COLUMNS" ] || python3 bench/gen_rootdump.py --columnar --native-columns "$SNAPSHOT" "$ALL_COLUMNS"
python3 bench/measure.py -n ${ROUNDS:-5} --interleave --reference top \
  --cmd top "python3 -m leakhunt top $SNAPSHOT --no-cache -q" \
  --cmd top-overlay "python3 -m leakhunt top $SNAPSHOT --no-cache -q --overlay $DUMP" \
  --cmd cycles-overlay "python3 -m leakhunt cycles $SNAPSHOT --no-cache -q --overlay $DUMP" \
  --cmd top-overlay-columns "python3 -m leakhunt top $SNAPSHOT --no-cache -q --overlay $COLUMNS" \
  --cmd cycles-overlay-columns "python3 -m leakhunt cycles $SNAPSHOT --no-cache -q --overlay $COLUMNS" \
  --cmd top-overlay-all-columns "python3 -m leakhunt top $SNAPSHOT --no-cache -q --overlay $ALL_COLUMNS" \
  --cmd cycles-overlay-all-columns "python3 -m leakhunt cycles $SNAPSHOT --no-cache -q --overlay $ALL_COLUMNS"
