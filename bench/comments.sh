#!/usr/bin/env bash
# Benchmark of comments at scale (issue 6): a workspace with 20 rounds x 17 parties and
# 10,000 comments (half of them decided); `comment list --json` and `status` must stay
# under 100 ms median; `comment import` of 1,000 .eml replies in one command under 5 s,
# one commit.
#
#   bash bench/comments.sh
#
# Environment: RUNS (20), ROUNDS (20), COMMENTS (10000), EMLS (1000),
# STRATEGI_BIN (default target/release/strategi), KEEP=1 keeps the scratch folder.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-20}
ROUNDS=${ROUNDS:-20}
COMMENTS=${COMMENTS:-10000}
EMLS=${EMLS:-1000}
BIN=${STRATEGI_BIN:-$ROOT/target/release/strategi}
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }
[ -x "$BIN" ] || cargo build --release
WORK=$(mktemp -d /tmp/strategi-bench-comments.XXXXXX)
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
for code in AID BFD ED FIN FD HOD JD KLD KDD KUD KD LMD NFD SD UD SMK DSS; do
    S party add "$code" --name "Departement $code" --email "postmottak@$(echo "$code" | tr A-Z a-z).example"
done
cp strategy/*.md "$WS/strategy/"
S version cut --label "Utkast"
for i in $(seq 1 "$ROUNDS"); do
    S --as DFD round open --version v1 --to all --due 2026-01-09 --title "Runde $i" 2>/dev/null
done
python3 bench/comments_fixture.py "$WS" "$ROUNDS" "$COMMENTS" "$WORK/emls" "$EMLS"
# Dated as the commands above were (STRATEGI_NOW), so that the import below is not
# refused for dating its change before the latest commit.
git -C "$WS" add -A && GIT_AUTHOR_DATE=2025-12-03T11:00:00Z GIT_COMMITTER_DATE=2025-12-03T11:00:00Z \
    git -C "$WS" commit -qm "Bench records"
echo "files: $(find "$WS/consultations" -type f | wc -l)"
"$BIN" -C "$WS" --json comment list | python3 -c 'import json,sys; print("comments listed:", len(json.load(sys.stdin)))'
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$WORK/list.json" \
    "$BIN -C $WS --json comment list" "$BIN -C $WS status" "$BIN -C $WS --json status"
# Import: the round's letters are sent (queued in outbox/: an answer needs a letter
# sent), then each run starts from that commit.
ROUND=$(basename "$(ls -d "$WS"/consultations/r* | head -1)")
S --as DFD round send "$ROUND"
FIXTURE_COMMIT=$(git -C "$WS" rev-parse HEAD)
hyperfine --runs 3 --prepare "git -C $WS reset -q --hard $FIXTURE_COMMIT && git -C $WS clean -qfdx" \
    "$BIN -C $WS comment import $ROUND $WORK/emls/*.eml"
git -C "$WS" log --oneline -1
echo "peak RSS of one import (KiB):"
git -C "$WS" reset -q --hard "$FIXTURE_COMMIT"
git -C "$WS" clean -qfdx
/usr/bin/time -f "%M" "$BIN" -C "$WS" comment import "$ROUND" "$WORK"/emls/*.eml >/dev/null
