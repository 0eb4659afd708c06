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
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }
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
S --as DFD round send "$ROUND" --dry-run 2>/dev/null || true
S --as DFD round mark-sent "$ROUND" 2>/dev/null || S --as DFD round send "$ROUND" 2>/dev/null || true
FIXTURE_COMMIT=$(git -C "$WS" rev-parse HEAD)
"$BIN" -C "$WS" --json comment import "$ROUND" "$WORK/svar.docx" --from FIN \
    | python3 -c 'import json,sys; j=json.load(sys.stdin); f=j["files"][0]; print("imported:", f["result"], f["comments"], "comments;", len(f.get("warnings", [])), "warnings")'
hyperfine -N --runs "$RUNS" --export-json "$WORK/import.json" \
    --prepare "git -C $WS reset -q --hard $FIXTURE_COMMIT && git -C $WS clean -qfdx" \
    "$BIN -C $WS comment import $ROUND $WORK/svar.docx --from FIN"
git -C "$WS" reset -q --hard "$FIXTURE_COMMIT"
git -C "$WS" clean -qfdx
echo "peak RSS of one import (KiB):"
/usr/bin/time -v "$BIN" -C "$WS" comment import "$ROUND" "$WORK/svar.docx" --from FIN 2>&1 >/dev/null \
    | grep -E "Maximum resident|Elapsed"
