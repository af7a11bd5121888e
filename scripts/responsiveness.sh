#!/usr/bin/env bash
# The responsiveness tests N times in a row beside a CPU-bound process (issue 18's proof; docs/testing.md,
# "Responsiveness"). Each run's worst GUI-thread stall per heartbeat is appended to $HEARTBEAT_LOG (default
# /tmp/id-console-heartbeat.log) as: stall ms, worst raw gap ms, phase, what the other threads did.
#
#     scripts/responsiveness.sh        # 10 runs
#     scripts/responsiveness.sh 3
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
export HEARTBEAT_LOG=${HEARTBEAT_LOG:-/tmp/id-console-heartbeat.log}
: >"$HEARTBEAT_LOG"
.venv/bin/python -c 'while True: pass' &
hog=$!
trap 'kill $hog' EXIT
passed=0
for i in $(seq 1 "$runs"); do
  echo "== run $i ($(date +%T), load $(cut -d' ' -f1 /proc/loadavg))" | tee -a "$HEARTBEAT_LOG"
  if .venv/bin/python -m pytest -q -p no:cacheprovider tests/gui/test_screens_responsive.py \
    tests/gui/test_responsiveness.py 2>&1 | tail -n 15; then
    passed=$((passed + 1))
  fi
done
echo "== $passed of $runs runs passed; stalls in $HEARTBEAT_LOG"
[ "$passed" -eq "$runs" ]
