#!/usr/bin/env bash
# Benchmark of strategi on a large workspace (1,000 versions, 200 parties).
#
#   bash bench/workspace.sh [FIXTURE_DIR]
#
# FIXTURE_DIR (default /tmp/strategi-bench/fixture) is built once through the release
# binary and reused when it already holds a workspace. Measurements run on copies of
# it, in two states: "loose" (as strategi leaves it: loose objects, one file per tag)
# and "packed" (after `git gc`: packfile and packed-refs).
#
# Environment: RUNS (30), WARMUP (5), PARTIES (200), VERSIONS (1000),
# STRATEGI_BIN (default target/release/strategi; built with cargo if missing),
# KEEP=1 keeps the scratch copies.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
FIXTURE=${1:-${STRATEGI_BENCH_FIXTURE:-/tmp/strategi-bench/fixture}}
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-5}
PARTIES=${PARTIES:-200}
VERSIONS=${VERSIONS:-1000}
BIN=${STRATEGI_BIN:-$ROOT/target/release/strategi}
HELPER="$ROOT/bench/workspace_bench.py"

command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }
[ -x "$BIN" ] || cargo build --release
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }

# A machine-independent git identity and clock.
WORK=$(mktemp -d /tmp/strategi-bench-run.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 STRATEGI_NOW=2025-11-28 NO_COLOR=1 LC_ALL=C
git config --global user.name "Bench Marker"
git config --global user.email "bench@strategi.example"
git config --global gc.auto 0

if [ ! -f "$FIXTURE/strategi.toml" ]; then
    echo "Building the fixture in $FIXTURE ($PARTIES parties, $VERSIONS versions) ..."
    rm -rf "$FIXTURE.partial"
    mkdir -p "$(dirname "$FIXTURE")"
    python3 "$HELPER" build "$BIN" "$FIXTURE.partial" "$PARTIES" "$VERSIONS" "$ROOT/strategy" \
        | tee "$FIXTURE.partial.log"
    mv "$FIXTURE.partial" "$FIXTURE"
    mv "$FIXTURE.partial.log" "$FIXTURE.build.log"
else
    echo "Reusing the fixture in $FIXTURE"
    [ -f "$FIXTURE.build.log" ] && cat "$FIXTURE.build.log"
fi
ntags=$(git -C "$FIXTURE" tag -l 'v*' | wc -l)
nparties=$(grep -c '^\[\[party\]\]' "$FIXTURE/strategi.toml" || true)
echo "fixture: $ntags version tags, $(git -C "$FIXTURE" rev-list --count HEAD) commits, party entries in strategi.toml: $nparties"

cp -a "$FIXTURE" "$WORK/loose"
cp -a "$FIXTURE" "$WORK/packed"
git -C "$WORK/packed" gc --quiet
echo "loose:  $(git -C "$WORK/loose" count-objects -v | awk '/^count/{print $2}') loose objects, $(find "$WORK/loose/.git/refs/tags" -type f | wc -l) tag ref files"
echo "packed: $(git -C "$WORK/packed" count-objects -v | awk '/^in-pack/{print $2}') packed objects, $(wc -l < "$WORK/packed/.git/packed-refs") lines in packed-refs"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo

# hyperfine's stderr (outlier warnings) goes to a log; on failure it is shown.
trap '[ -s "$WORK/hyperfine.log" ] && cat "$WORK/hyperfine.log" >&2' ERR
HF=(hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS")
for state in loose packed; do
    ws="$WORK/$state"
    "${HF[@]}" --export-json "$WORK/$state-read.json" \
        -n "strategi --version (startup)" "$BIN --version" \
        -n "strategi status" "$BIN -C $ws status" \
        -n "strategi version list" "$BIN -C $ws version list" \
        -n "git tag -n" "git -C $ws tag -n" >/dev/null 2>>"$WORK/hyperfine.log"
    # Each cut needs a changed draft: one line is rewritten before every run (not timed).
    "${HF[@]}" --export-json "$WORK/$state-cut.json" \
        --prepare "python3 $HELPER touch $ws" \
        -n "strategi version cut" "$BIN -C $ws version cut --label Benchmark" >/dev/null 2>>"$WORK/hyperfine.log"
done

python3 "$HELPER" table "$WORK"/loose-read.json "$WORK"/loose-cut.json "$WORK"/packed-read.json "$WORK"/packed-cut.json
[ "${KEEP:-0}" = 1 ] && echo "scratch copies kept in $WORK"
exit 0
