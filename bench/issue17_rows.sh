#!/usr/bin/env bash
# Every row of issue 17's table, one bench run each, in the order of the table. Each script
# measures its own raw baseline in the same run, interleaved, median of rounds, and prints
# the ratio; this only runs them one after another and keeps their output.
#   bash bench/issue17_rows.sh [postgresql://postgres@127.0.0.1:5432/postgres] [log folder]
# The trends row (report latency against history size) is bench/reports_bench.py, whose 2 M
# event history takes most of an hour to write and fold here; run it on its own.
set -uo pipefail
URL=${1:-postgresql://postgres@127.0.0.1:5432/postgres}
OUT=${2:-bench-logs}
PY=${PYTHON:-.venv/bin/python}
mkdir -p "$OUT"
run() {  # name, command...
  local name=$1; shift
  echo "== $name: $*" | tee "$OUT/$name.log"
  local began=$SECONDS
  "$@" 2>&1 | tee -a "$OUT/$name.log"
  echo "== $name done in $((SECONDS - began)) s (exit ${PIPESTATUS[0]})" | tee -a "$OUT/$name.log"
}
run appends  "$PY" bench/store_bench.py "$URL" --appends 800 --events 20000 --writers 8 \
    --rounds 3 --rowwise-rounds 0
run commands "$PY" bench/commands_bench.py "$URL" --commands 300 --writers 8 --rounds 3
run desk     "$PY" bench/circulation_bench.py --admin-url "$URL"
run rebuild  "$PY" bench/store_bench.py "$URL" --only rebuild --events 500000 --rounds 3 \
    --rowwise-rounds 0
run sip2     "$PY" bench/sip2_bench.py --admin-url "$URL" --kiosks 20 --checkouts 30 \
    --processes 1,2 --rounds 3
run exports  "$PY" bench/exports_bench.py --database-url "$URL" --rows 200000 \
    --xlsx-rows 20000 --rounds 3
