#!/usr/bin/env bash
# Run every benchmark under bench/; each prints its ratio against a baseline measured in the same run.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for bench in bench/bench_*.py; do
  echo "=== $bench"
  .venv/bin/python -m "bench.$(basename "$bench" .py)" || status=1
done
exit $status
