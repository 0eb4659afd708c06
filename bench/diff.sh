#!/usr/bin/env bash
# Benchmark `strategi diff --format json` against `git diff --word-diff` (see
# bench/diff_bench.py for the targets).
#
#   bench/diff.sh [COMMAND_TEMPLATE]
#
# COMMAND_TEMPLATE (or $DIFF_CMD) is the diff command; {a} and {b} stand for the two
# files, and without them the files are appended. Default:
#   target/release/strategi diff --format json --files {a} {b}
# Environment: RUNS (default 15), BENCH_DIR (default a temporary folder), SEED.
# Peak RSS is measured with wait4() in the Python driver, so GNU time is not needed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
default_cmd='target/release/strategi diff --format json --files {a} {b}'
cmd="${1:-${DIFF_CMD:-$default_cmd}}"
dir="${BENCH_DIR:-$(mktemp -d)}"
python3 "$here/gen_docs.py" "$dir" --seed "${SEED:-2025}"
python3 "$here/diff_bench.py" --dir "$dir" --cmd "$cmd" --runs "${RUNS:-15}"
