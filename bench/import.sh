#!/usr/bin/env bash
# Benchmark of bulk import (issue 18): a public høring with 400 listed parties and
# 3,000 answers (30,000 comments), imported in one `comment import` as a folder of .eml
# files and as one mbox; target under 3 s and peak memory under 128 MB each, one commit.
#
#   bash bench/import.sh
#
# Environment: RUNS (3), PARTIES (400), ANSWERS (3000), COMMENTS (30000),
# STRATEGI_BIN (default target/release/strategi), KEEP=1 keeps the scratch folder,
# FILES=1 passes the .eml files one by one (for a binary without folder import).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-3}
PARTIES=${PARTIES:-400}
ANSWERS=${ANSWERS:-3000}
COMMENTS=${COMMENTS:-30000}
BIN=${STRATEGI_BIN:-$ROOT/target/release/strategi}
[ -x "$BIN" ] || cargo build --release
WORK=$(mktemp -d /tmp/strategi-bench-import.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 STRATEGI_NOW=2025-12-16 NO_COLOR=1 LC_ALL=C
git config --global user.name "Bench Marker"
git config --global user.email "bench@strategi.example"
git config --global gc.auto 0
WS="$WORK/ws"
S() { STRATEGI_NOW=2025-12-03 "$BIN" -C "$WS" "$@" >/dev/null; }
STRATEGI_NOW=2025-12-03 "$BIN" init "$WS" --title "KI-strategi" --owner DIO --approver DFD >/dev/null
S party add DFD --name "Digitaliserings- og forvaltningsdepartementet" --email postmottak@dfd.example
for i in $(seq 1 "$PARTIES"); do
    code=$(printf "P%03d" "$i")
    S party add "$code" --name "Høringsinstans $i" --email "postmottak@$(echo "$code" | tr A-Z a-z).example"
done
cp strategy/*.md "$WS/strategy/"
S version cut --label "Utkast"
S --as DFD round open --version v1 --to all --due 2026-01-09 --title "Offentlig høring"
S round send latest >/dev/null 2>&1 || true
ROUND=$(basename "$(ls -d "$WS"/consultations/r* | head -1)")
python3 bench/import_fixture.py "$ROUND" "$WORK" "$ANSWERS" "$COMMENTS" "$PARTIES"
FIXTURE_COMMIT=$(git -C "$WS" rev-parse HEAD)
reset() { git -C "$WS" reset -q --hard "$FIXTURE_COMMIT" && git -C "$WS" clean -qfdx; }
if [ "${FILES:-0}" = 1 ]; then FOLDER=("$WORK"/emls/*.eml); else FOLDER=("$WORK/emls"); fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # NAME ARGS...: median wall time (s) of RUNS imports, peak RSS of one
    local name=$1; shift
    local times=()
    for _ in $(seq 1 "$RUNS"); do
        reset
        local t0 t1
        t0=$(date +%s.%N)
        "$BIN" -C "$WS" comment import "$ROUND" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || { cat "$WORK/err.txt" >&2; tail -3 "$WORK/out.txt" >&2; exit 1; }
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc)")
    done
    local commits
    commits=$(git -C "$WS" rev-list --count "$FIXTURE_COMMIT"..HEAD)
    tail -1 "$WORK/out.txt"
    reset
    /usr/bin/time -v "$BIN" -C "$WS" comment import "$ROUND" "$@" >/dev/null 2>"$WORK/time.txt"
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    git -C "$WS" fsck --no-dangling >/dev/null 2>&1 && fsck=clean || fsck=FAILED
    printf '%-8s median %.2f s (runs: %s), peak %d MB, %s commit(s), git fsck %s, %s pack(s)\n' \
        "$name" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}" $((rss / 1024)) "$commits" "$fsck" \
        "$(ls "$WS"/.git/objects/pack/*.pack 2>/dev/null | wc -l)"
    # Idempotent: the same import again imports nothing.
    "$BIN" -C "$WS" comment import "$ROUND" "$@" | tail -1
}
measure folder "${FOLDER[@]}"
[ "${FILES:-0}" = 1 ] || measure mbox "$WORK/answers.mbox"
