#!/usr/bin/env bash
# Benchmark of `strategi version export V --format docx` on a 150,000-word version
# (issue 15: under 1 s with the release build), and of the redline
# `strategi diff v1 v2 --format docx` between it and a lightly edited copy.
#
#   bash bench/docx.sh
#
# The fixture is a workspace whose v1 is bench/gen_docs.py's base.md (150,000 words,
# 1,500 paragraphs, a heading every 12) with every 10th paragraph turned into a bullet
# list, every 25th into a table and emphasis and links sprinkled in, and v2 its light
# edit. Each command runs RUNS times (default 11, after WARMUP=2); the median, minimum
# and maximum wall-clock times are printed, with the size of the file.
# Environment: RUNS, WARMUP, STRATEGI_BIN (default target/release/strategi; built with
# cargo if missing), KEEP=1 keeps the scratch folder.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-11}
WARMUP=${WARMUP:-2}
BIN=${STRATEGI_BIN:-$ROOT/target/release/strategi}
[ -x "$BIN" ] || cargo build --release
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }

WORK=$(mktemp -d /tmp/strategi-docx-bench.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 STRATEGI_NOW=2025-11-28 NO_COLOR=1 LC_ALL=C.UTF-8
git config --global user.name "Bench Marker"
git config --global user.email "bench@strategi.example"

python3 bench/gen_docs.py "$WORK/docs" --seed 2025 >/dev/null
python3 - "$WORK/docs" <<'PY'
import re, sys
d = sys.argv[1]
def dress(text):
    blocks = text.split("\n\n")
    out = []
    for i, b in enumerate(blocks):
        if b.startswith("#") or not b.strip():
            out.append(b)
            continue
        words = b.split()
        if i % 10 == 3:
            out.append("\n".join("- " + " ".join(words[k:k + 12]) for k in range(0, len(words), 12)))
        elif i % 25 == 7:
            rows = [" ".join(words[k:k + 10]) for k in range(0, len(words), 20)]
            out.append("| Tiltak | Ansvar |\n|---|---|\n" + "\n".join(f"| {r} | DFD |" for r in rows))
        else:
            if len(words) > 20:
                words[3] = f"**{words[3]}**"
                words[9] = f"*{words[9]}*"
                words[15] = f"[{words[15]}](https://www.regjeringen.no/)"
            out.append(" ".join(words))
    return "\n\n".join(out)
for name in ["base", "light"]:
    with open(f"{d}/{name}.md", encoding="utf-8") as f:
        t = f.read()
    with open(f"{d}/{name}-dressed.md", "w", encoding="utf-8") as f:
        f.write(dress(t))
PY

ws="$WORK/ws"
"$BIN" init "$ws" --title "Benchmark" --owner DIO --approver DFD --case 25/1 >/dev/null
cp "$WORK/docs/base-dressed.md" "$ws/strategy/01-strategi.md"
"$BIN" -C "$ws" version cut --label "Stor versjon" >/dev/null
v1_bytes=$(wc -c < "$ws/strategy/01-strategi.md")
cp "$WORK/docs/light-dressed.md" "$ws/strategy/01-strategi.md"
"$BIN" -C "$ws" version cut --label "Lett endret" >/dev/null
words=$("$BIN" -C "$ws" --json version show v1 | python3 -c 'import json,sys; print(sum(s["words"] for s in json.load(sys.stdin)["sections"]))')
echo "v1: $words words (Markdown whitespace-separated), $v1_bytes bytes"

measure() {
    local label=$1; shift
    local out=$WORK/$label.docx
    for _ in $(seq "$WARMUP"); do "$@" --out "$out" --force >/dev/null; done
    local times=()
    for _ in $(seq "$RUNS"); do
        local s e
        s=$(date +%s%N)
        "$@" --out "$out" --force >/dev/null
        e=$(date +%s%N)
        times+=($(( (e - s) / 1000000 )))
    done
    local sorted
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    local median min max
    median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
    min=$(echo "$sorted" | head -1)
    max=$(echo "$sorted" | tail -1)
    echo "$label: median ${median} ms (min ${min}, max ${max}; $RUNS runs), $(wc -c < "$out") bytes"
}
measure "export-docx" "$BIN" -C "$ws" version export v1 --format docx
measure "redline-docx" "$BIN" -C "$ws" diff v1 v2 --format docx
