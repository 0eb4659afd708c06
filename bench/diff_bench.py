#!/usr/bin/env python3
"""Times a diff command against `git diff --word-diff` on the benchmark pairs.

For each pair (base.md against light, heavy, rewrap and disjoint) both commands run
--runs times, interleaved, with stdout sent to /dev/null. Wall time is measured around
each process. Peak RSS is measured in one extra run of each command under GNU time
(`/usr/bin/time -f %M`, Debian package `time`); without it, ru_maxrss from wait4() is
used, which also counts the forked Python child before exec and so reads too high.

The command is a template: {a} and {b} are replaced by the two files; without them the
two files are appended. Examples:
  --cmd 'target/release/strategi diff --format json --files {a} {b}'
  --cmd 'target/release/docdiff --format json {a} {b}'

Targets (from the issue): light, heavy, rewrap <= 0.7 x git's median; disjoint <= git's
median; peak RSS <= 32 MB; no run over 250 ms.
"""

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

PAIRS = [("light", 0.7), ("heavy", 0.7), ("rewrap", 0.7), ("disjoint", 1.0)]
GIT = "git diff --no-index --word-diff=porcelain --diff-algorithm=histogram {a} {b}"


def command(template, a, b):
    if "{a}" not in template:
        template += " {a} {b}"
    return [part.format(a=a, b=b) for part in shlex.split(template)]


def peak_rss_mb(argv):
    if os.path.exists("/usr/bin/time"):
        with tempfile.NamedTemporaryFile("r") as f:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name] + argv,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return int(f.read().split()[-1]) / 1024.0
    return run_once(argv)[1]


def run_once(argv):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    # git diff exits 1 when the files differ.
    if proc.returncode not in (0, 1):
        sys.exit(f"{argv[0]} failed with {proc.returncode}: {err}")
    return elapsed * 1000.0, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, help="folder written by gen_docs.py")
    ap.add_argument("--cmd", default="target/release/strategi diff --format json --files {a} {b}")
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()

    base = os.path.join(args.dir, "base.md")
    print(f"{'pair':9} {'strategi ms':>11} {'git ms':>8} {'ratio':>6} {'target':>7} "
          f"{'max ms':>7} {'RSS MB':>7} {'git RSS':>7}  verdict")
    ok_all = True
    for name, target in PAIRS:
        other = os.path.join(args.dir, f"{name}.md")
        ours_argv = command(args.cmd, base, other)
        git_argv = command(GIT, base, other)
        ours, git = [], []
        run_once(ours_argv)  # warm the page cache
        run_once(git_argv)
        for _ in range(args.runs):
            ours.append(run_once(ours_argv))
            git.append(run_once(git_argv))
        om = statistics.median(t for t, _ in ours)
        gm = statistics.median(t for t, _ in git)
        omax = max(t for t, _ in ours)
        rss = peak_rss_mb(ours_argv)
        grss = peak_rss_mb(git_argv)
        ratio = om / gm
        ok = ratio <= target and rss <= 32 and omax <= 250
        ok_all &= ok
        print(f"{name:9} {om:11.1f} {gm:8.1f} {ratio:6.2f} {target:7.1f} {omax:7.1f} "
              f"{rss:7.1f} {grss:7.1f}  {'ok' if ok else 'MISSED'}")
    print("all targets met" if ok_all else "some targets missed")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
