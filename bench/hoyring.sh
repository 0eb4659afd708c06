#!/usr/bin/env bash
# Benchmark of a public høring at full scale (issue 18): a case with 400 listed parties,
# an open høring round to them, 3,000 answers of which 1,500 from unlisted senders
# (about 30,000 comments), as a folder of .eml files and as one mbox.
#
#   bash bench/hoyring.sh
#
# Measures, in one run and with the same fixture:
# - `comment import` of the folder and of the mbox: median wall time of RUNS imports,
#   each into a fresh copy of the workspace, and the peak RSS of one (/usr/bin/time);
#   targets under 3 s and under 128 MB;
# - after the import (folder) and half of the comments decided: `status`, `round show`,
#   `comment list --json`, warm (median of RUNS after warm-up runs) and cold (the read
#   cache `.git/strategi-cache*`, where there is one, deleted before each run); targets
#   under 50 ms warm and under 500 ms cold;
# - `report --format html` and `--format xlsx`: target under 1 s.
#
# Environment: RUNS (5), PARTIES (400), ANSWERS (3000), UNLISTED (1500),
# STRATEGI_BIN (default target/release/strategi), BASE_BIN (a second binary, e.g.
# /work/bin/strategi-base, measured the same way on the same fixture, "before"),
# KEEP=1 keeps the scratch folder (its path is printed), IMPORT_ONLY=1 measures the
# imports only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
PARTIES=${PARTIES:-400}
ANSWERS=${ANSWERS:-3000}
UNLISTED=${UNLISTED:-1500}
BIN=${STRATEGI_BIN:-$ROOT/target/release/strategi}
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install -y time" >&2; exit 1; }
[ -x "$BIN" ] || cargo build --release
WORK=$(mktemp -d /tmp/strategi-bench-hoyring.XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then echo "scratch: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
mkdir -p "$WORK/home"
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1 LC_ALL=C.UTF-8
git config --global user.name "Bench Marker"
git config --global user.email "bench@strategi.example"
git config --global gc.auto 0
echo "load: $(uptime)"

# The case: parties, v1, an open høring to all of them, sent.
t0=$(date +%s.%N)
WS="$WORK/ws"
S() { STRATEGI_NOW=2025-12-03 "$BIN" -C "$WS" "$@" >/dev/null; }
STRATEGI_NOW=2025-12-03 "$BIN" init "$WS" --title "KI-strategi" --owner DIO --approver DFD >/dev/null
S party add DFD --name "Digitaliserings- og forvaltningsdepartementet" --email postmottak@dfd.example
python3 bench/hoyring_fixture.py parties "$WS" "$PARTIES"
cp strategy/*.md "$WS/strategy/"
S version cut --label "Høringsutkast"
S --as DFD round open --version v1 --to all --kind hoyring --open --due 2026-03-01 --title "Offentlig høring: nasjonal strategi for kunstig intelligens"
S --as DFD round send latest
ROUND=$(basename "$(ls -d "$WS"/consultations/r* | head -1)")
python3 bench/hoyring_fixture.py answers "$WS" "$ROUND" "$WORK" "$ANSWERS" "$UNLISTED" "$PARTIES"
FIXTURE_COMMIT=$(git -C "$WS" rev-parse HEAD)
printf 'fixture: %.1f s, %s .eml files (%s MB), mbox %s MB\n' "$(echo "$(date +%s.%N) - $t0" | bc)" \
    "$(ls "$WORK/emls" | wc -l)" "$(du -sm "$WORK/emls" | cut -f1)" "$(du -m "$WORK/answers.mbox" | cut -f1)"
median_ms() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f ms (min %.0f, max %.0f)" % (r["median"]*1000, r["min"]*1000, r["max"]*1000))' "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# A fresh copy of the fixture workspace. Copies, never `git reset` and `git clean`: on
# ext4, creating thousands of files right after deleting thousands costs several times
# more (new inodes skip the recently freed ones), which is not what an import costs.
COPIES=0
fresh() { COPIES=$((COPIES + 1)); rm -f "$WORK/cur"; cp -a "$WS" "$WORK/copy$COPIES"; ln -s "$WORK/copy$COPIES" "$WORK/cur"; }

# Import: NAME BIN ARGS... (each run into a fresh copy; then one more under /usr/bin/time)
import_bench() {
    local name=$1 bin=$2; shift 2
    local times=() t0 t1 summary commits
    for _ in $(seq 1 "$RUNS"); do
        fresh
        t0=$(date +%s.%N)
        STRATEGI_NOW=2025-12-16 "$bin" -C "$WORK/cur" comment import "$ROUND" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" ||
            { echo "$name: the import failed:" >&2; tail -5 "$WORK/err.txt" "$WORK/out.txt" >&2; return 1; }
        t1=$(date +%s.%N)
        times+=("$(echo "($t1 - $t0) * 1000" | bc)")
    done
    summary=$(tail -1 "$WORK/out.txt")
    commits=$(git -C "$WORK/cur" rev-list --count "$FIXTURE_COMMIT"..HEAD)
    fresh
    STRATEGI_NOW=2025-12-16 /usr/bin/time -f %M -o "$WORK/rss.txt" "$bin" -C "$WORK/cur" comment import "$ROUND" "$@" >/dev/null
    printf '%-28s median %.0f ms (runs: %s), peak %d MB, %s commit(s) -- %s\n' "$name" \
        "$(printf '%s\n' "${times[@]}" | median)" "$(printf '%.0f ' "${times[@]}")" \
        $(($(cat "$WORK/rss.txt") / 1024)) "$commits" "$summary"
}

# A read command, warm and cold: NAME BIN ARGS...
read_bench() {
    local name=$1 bin=$2; shift 2
    local ws=$WORK/copy$COPIES
    local cmd="env STRATEGI_NOW=2025-12-20 $bin -C $ws $*"
    hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$WORK/warm.json" --style none "$cmd" >/dev/null
    hyperfine -N --runs "$RUNS" --prepare "bash -c 'rm -rf $ws/.git/strategi-cache*'" \
        --export-json "$WORK/cold.json" --style none "$cmd" >/dev/null
    printf '%-28s warm %s, cold %s\n' "$name" "$(median_ms "$WORK/warm.json")" "$(median_ms "$WORK/cold.json")"
}

run_all() { # LABEL BIN
    local label=$1 bin=$2
    echo "== $label: $bin"
    import_bench "import folder" "$bin" "$WORK/emls"
    import_bench "import mbox" "$bin" "$WORK/answers.mbox"
    [ "${IMPORT_ONLY:-0}" = 1 ] && return
    # The state the reads see: the folder imported, half of the comments decided.
    fresh
    local ws=$WORK/copy$COPIES
    STRATEGI_NOW=2025-12-16 "$bin" -C "$ws" comment import "$ROUND" "$WORK/emls" >/dev/null
    python3 bench/hoyring_fixture.py decide "$ws" "$ROUND"
    read_bench "status" "$bin" status
    read_bench "round show" "$bin" round show "$ROUND"
    read_bench "comment list --json" "$bin" --json comment list
    read_bench "report --format html" "$bin" report "$ROUND" --format html --force --out "$WORK/report.html"
    read_bench "report --format xlsx" "$bin" report "$ROUND" --format xlsx --force --out "$WORK/report.xlsx"
}

run_all after "$BIN"
if [ -n "${BASE_BIN:-}" ]; then run_all before "$BASE_BIN"; fi
echo "load: $(uptime)"
