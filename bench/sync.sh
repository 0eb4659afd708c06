#!/usr/bin/env bash
# Benchmark of `strategi sync` over file:// against plain `git pull && git push`.
#
#   bash bench/sync.sh [RECORDS...]        (default: 10000 100000)
#
# For each size: a case with RECORDS record files (spread over rounds of 1,000 files,
# one commit), a bare remote and two clones; each clone adds 100 records (one commit),
# the first pushes, then the second's `strategi sync` (fetch, merge commit, push) is
# timed (the second synced once before its 100, as a clone in use has), RUNS times on
# fresh copies, and `git pull --no-rebase && git push` on the same
# copies for comparison. Prints the median in milliseconds.
#
# Environment: RUNS (5), STRATEGI_BIN (default target/release/strategi, built if missing);
# BASE_BIN, another strategi binary (an older build) timed on the same copies;
# CALLGRIND=1 also counts the instructions of strategi's own process in one sync with
# valgrind (git's fetch and push run in child processes and are not counted), a number
# that does not depend on the machine's load.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${STRATEGI_BIN:-$ROOT/target/release/strategi}
RUNS=${RUNS:-5}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)
[ -x "$BIN" ] || cargo build --release
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }

WORK=$(mktemp -d /tmp/strategi-sync-bench.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 STRATEGI_NOW=2025-11-28 NO_COLOR=1 LC_ALL=C
export GIT_AUTHOR_DATE="2025-11-27 12:00:00 +0000" GIT_COMMITTER_DATE="2025-11-27 12:00:00 +0000"
git config --global user.name "Bench Marker"
git config --global user.email "bench@strategi.example"
git config --global init.defaultBranch main
git config --global gc.auto 0

# Writes COUNT record files named PREFIX-N into rounds of 1,000 under DIR.
records() {
    python3 - "$1" "$2" "$3" <<'EOF'
import os, sys
root, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for i in range(count):
    d = os.path.join(root, "consultations", f"r{i // 1000:04d}", "facts")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"2025-11-27T12-00-00Z-{prefix}{i:06d}.toml"), "w") as f:
        f.write(f'kind = "note"\nparty = "FIN"\ntext = "record {prefix}{i}"\n')
EOF
}

ms() { python3 -c 'import sys; v=sorted(map(float, sys.argv[1:])); print(f"{v[len(v)//2]:.0f}")' "$@"; }
now_ns() { date +%s%N; }

for n in "${SIZES[@]}"; do
    base="$WORK/$n"
    mkdir -p "$base"
    "$BIN" init "$base/seed" --title Bench --owner DIO --approver DFD >/dev/null
    records "$base/seed" "$n" base
    git -C "$base/seed" add -A >/dev/null
    git -C "$base/seed" commit -qm "$n records"
    git clone -q --bare "$base/seed" "$base/remote.git"
    git clone -q "$base/remote.git" "$base/a"
    git clone -q "$base/remote.git" "$base/b"
    # A long-used clone: its proven clocks (.git/strategi-clocks) are saved at the
    # last sync, so the timed sync walks only what came since. (An older build that
    # reads another cache format rebuilds it, which the "base" numbers then include.)
    "$BIN" -C "$base/b" sync >/dev/null
    records "$base/a" 100 a
    git -C "$base/a" add -A && git -C "$base/a" commit -qm "100 from a"
    git -C "$base/a" push -q origin main
    records "$base/b" 100 b
    git -C "$base/b" add -A && git -C "$base/b" commit -qm "100 from b"
    # Fill strategi's note of the remote's tags (as clone does) outside the timing.
    git -C "$base/b" fetch -q origin
    # Packed, as a server's and a long-used clone's objects are (and quicker to copy).
    git -C "$base/remote.git" repack -adq; git -C "$base/b" repack -adq
    s=(); g=(); o=()
    fresh() {
        rm -rf "$base/run"; mkdir -p "$base/run"
        cp -a "$base/remote.git" "$base/run/remote.git"; cp -a "$base/b" "$base/run/b"
        git -C "$base/run/b" remote set-url origin "file://$base/run/remote.git"
    }
    for r in $(seq "$RUNS"); do
        fresh
        t0=$(now_ns); "$BIN" -C "$base/run/b" sync >/dev/null; t1=$(now_ns)
        s+=("$(( (t1 - t0) / 1000000 ))")
        if [ -n "${BASE_BIN:-}" ]; then
            fresh
            t0=$(now_ns); "$BASE_BIN" -C "$base/run/b" sync >/dev/null; t1=$(now_ns)
            o+=("$(( (t1 - t0) / 1000000 ))")
        fi
        rm -rf "$base/run"; mkdir -p "$base/run"
        cp -a "$base/remote.git" "$base/run/remote.git"; cp -a "$base/b" "$base/run/b"
        git -C "$base/run/b" remote set-url origin "file://$base/run/remote.git"
        t0=$(now_ns)
        git -C "$base/run/b" pull -q --no-rebase --no-edit origin main && git -C "$base/run/b" push -q origin main
        t1=$(now_ns)
        g+=("$(( (t1 - t0) / 1000000 ))")
    done
    line="$n records, 100 new on each side: strategi sync $(ms "${s[@]}") ms"
    [ -z "${BASE_BIN:-}" ] || line="$line (base build $(ms "${o[@]}") ms)"
    echo "$line, git pull && git push $(ms "${g[@]}") ms (median of $RUNS)"
    if [ "${CALLGRIND:-0}" = 1 ]; then
        for b in "$BIN" ${BASE_BIN:+"$BASE_BIN"}; do
            fresh
            valgrind --tool=callgrind --callgrind-out-file="$base/callgrind.out" \
                "$b" -C "$base/run/b" sync >/dev/null 2>"$base/valgrind.log"
            ir=$(sed -n 's/^==[0-9]*== Collected : //p' "$base/valgrind.log")
            echo "  $b: $ir instructions (callgrind, strategi's own process)"
            [ "${KEEP:-0}" = 1 ] && cp "$base/callgrind.out" "$WORK/callgrind-$n-$(basename "$b").out"
        done
    fi
done
