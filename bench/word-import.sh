#!/usr/bin/env bash
# Benchmark of reading Word replies (issue 15): `comment import` of a .docx of a
# 200-page version (100,000 words) with 500 comments and 500 tracked changes must take
# under 1 s with a peak memory under 100 MB.
#
#   bash bench/word-import.sh
#
# Environment: RUNS (10), STRATEGI_BIN (default target/release/strategi), KEEP=1 keeps
# the scratch folder.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-10}
BIN=${STRATEGI_BIN:-$ROOT/target/release/strategi}
[ -x "$BIN" ] || cargo build --release
WORK=$(mktemp -d /tmp/strategi-bench-word.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 STRATEGI_NOW=2025-12-03 NO_COLOR=1 LC_ALL=C
git config --global user.name "Bench Marker"
git config --global user.email "bench@strategi.example"
git config --global gc.auto 0
WS="$WORK/ws"
S() { "$BIN" -C "$WS" "$@" >/dev/null; }
"$BIN" init "$WS" --title "KI-strategi" --owner DIO --approver DFD >/dev/null
S party add DFD --name "Digitaliserings- og forvaltningsdepartementet" --email postmottak@dfd.example
S party add FIN --name "Finansdepartementet" --email postmottak@fin.example
rm -f "$WS"/strategy/*.md
python3 bench/word_fixture.py "$WS/strategy/01-strategi.md" "$WORK/svar.docx"
S version cut --label "Utkast"
S --as DFD round open --version v1 --to FIN --due 2026-01-30
ROUND=$("$BIN" -C "$WS" --json round list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
S --as DFD round send "$ROUND"
FIXTURE_COMMIT=$(git -C "$WS" rev-parse HEAD)
"$BIN" -C "$WS" --json comment import "$ROUND" "$WORK/svar.docx" --from FIN \
    | python3 -c 'import json,sys; j=json.load(sys.stdin); f=j["files"][0]; print("imported:", f["result"], f["comments"], "comments;", len(f.get("warnings", [])), "warnings")'
# Each run starts from the committed fixture; wall time and peak memory from
# /usr/bin/time (GNU time, Debian package `time`).
for i in $(seq 1 "$RUNS"); do
    git -C "$WS" reset -q --hard "$FIXTURE_COMMIT"
    git -C "$WS" clean -qfdx
    /usr/bin/time -f "%e %M" -o "$WORK/time.$i" "$BIN" -C "$WS" comment import "$ROUND" "$WORK/svar.docx" --from FIN >/dev/null
done
cat "$WORK"/time.* | sort -n | awk '{ t[NR] = $1; m = ($2 > m ? $2 : m) } END {
    printf "runs: %d, wall seconds: min %.3f, median %.3f, max %.3f; peak RSS: %.1f MB\n", NR, t[1], t[int((NR + 1) / 2)], t[NR], m / 1024 }'
git -C "$WS" reset -q --hard "$FIXTURE_COMMIT"
git -C "$WS" clean -qfdx
echo "one import under /usr/bin/time -v:"
/usr/bin/time -v "$BIN" -C "$WS" comment import "$ROUND" "$WORK/svar.docx" --from FIN 2>&1 >/dev/null \
    | grep -E "Maximum resident|Elapsed"
