#!/usr/bin/env python3
"""Helper for bench/workspace.sh.

  workspace_bench.py build BIN DIR PARTIES VERSIONS DRAFT_DIR
      Builds a workspace in DIR through the strategi binary: init, PARTIES parties,
      the draft from DRAFT_DIR, then VERSIONS cuts, each after changing one line.
  workspace_bench.py touch DIR
      Changes one line of the draft (for `version cut` runs).
  workspace_bench.py table JSON...
      Prints median/min/mean of hyperfine --export-json files as a table.

Expects HOME / GIT_CONFIG_NOSYSTEM / STRATEGI_NOW to be set by the caller.
"""

import glob
import json
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def draft_files(ws):
    return sorted(glob.glob(os.path.join(ws, "strategy", "*.md")))


def change_one_line(ws, stamp):
    """Replace the last line of one draft file (rotating over the files)."""
    files = draft_files(ws)
    path = files[hash(stamp) % len(files)] if isinstance(stamp, str) else files[stamp % len(files)]
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    # The file ends with "\n": the last element is "", so edit the one before.
    idx = len(lines) - 2 if lines[-1] == "" else len(lines) - 1
    lines[idx] = f"Sist revidert: endring {stamp}."
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def build(bin_, ws, parties, versions, draft_dir):
    t0 = time.perf_counter()
    run([bin_, "init", ws, "--title", "Strategi for kunstig intelligens i forvaltningen",
         "--owner", "DIO", "--approver", "DFD", "--case", "24/3095"])
    for f in draft_files(ws):
        os.remove(f)
    for f in sorted(glob.glob(os.path.join(draft_dir, "*.md"))):
        with open(f, "rb") as src, open(os.path.join(ws, "strategy", os.path.basename(f)), "wb") as dst:
            dst.write(src.read())
    t_init = time.perf_counter() - t0

    codes = ["DIO", "DFD"] + [f"P{i:03d}" for i in range(1, parties - 1)]
    t1 = time.perf_counter()
    for i, code in enumerate(codes[:parties]):
        run([bin_, "-C", ws, "party", "add", code, "--name", f"Departement nr. {i + 1}",
             "--email", f"postmottak@{code.lower()}.example", "--lang", "nb"])
    t_parties = time.perf_counter() - t1

    cut_times = []
    t2 = time.perf_counter()
    for v in range(1, versions + 1):
        if v > 1:
            change_one_line(ws, v)
        s = time.perf_counter()
        run([bin_, "-C", ws, "version", "cut", "--label", f"Revisjon {v}"])
        cut_times.append(time.perf_counter() - s)
    t_versions = time.perf_counter() - t2

    def ms(xs):
        return statistics.median(xs) * 1000

    print(f"fixture: init {t_init:.2f}s, {parties} parties {t_parties:.1f}s "
          f"({t_parties / max(parties, 1) * 1000:.1f} ms each), {versions} cuts {t_versions:.1f}s; "
          f"cut median first 100 {ms(cut_times[:100]):.1f} ms, last 100 {ms(cut_times[-100:]):.1f} ms; "
          f"total {time.perf_counter() - t0:.1f}s")


TARGETS_MS = {"strategi status": 30, "strategi version list": 30, "strategi version cut": 50}


def table(paths):
    print(f"{'state':<8} {'command':<34} {'median':>9} {'min':>9} {'mean±sd':>16} {'runs':>5}  target")
    for p in paths:
        with open(p) as f:
            data = json.load(f)
        state = os.path.basename(p).split("-")[0]
        for r in data["results"]:
            name = r.get("command_name") or r["command"]
            times = r["times"]
            print(f"{state:<8} {name:<34} {statistics.median(times) * 1000:>7.1f}ms "
                  f"{min(times) * 1000:>7.1f}ms {r['mean'] * 1000:>8.1f}±{(r['stddev'] or 0) * 1000:<5.1f}ms"
                  f" {len(times):>5}  {verdict(name, statistics.median(times) * 1000)}")


def verdict(name, median_ms):
    target = TARGETS_MS.get(name)
    if target is None:
        return "-"
    return f"<{target}ms {'ok' if median_ms < target else 'MISSED'}"


def main():
    cmd = sys.argv[1]
    if cmd == "build":
        build(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    elif cmd == "touch":
        change_one_line(sys.argv[2], f"{time.time_ns()}")
    elif cmd == "table":
        table(sys.argv[2:])
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
