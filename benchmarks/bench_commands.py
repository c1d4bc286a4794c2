"""Command start-up benchmark: each ``airisk`` command beside the floor it is measured against.

Every figure is a whole process, started fresh, wall clock (``time.perf_counter`` around
``subprocess.run``). Subject and comparator take turns (subject, comparator, subject, ...) in one run,
so a busy machine slows both alike; the table gives medians and the ratio subject / comparator.

| subject | comparator (a separate process) |
|---|---|
| ``airisk --help`` | ``python -c pass`` |
| ``airisk validate`` | pySHACL without the shapes' ``sh:sparql`` constraints, plus those as whole-graph SPARQL on
  pyoxigraph, on the exported curated graph |
| ``airisk stats`` | bulk-load the exported graph into pyoxigraph and run the stats queries |
| ``airisk gaps`` | bulk-load the exported graph into pyoxigraph and run one gap query |

The commands use the built-store cache as a user's second run does (one warm-up run fills it);
``--cold`` gives each run an empty cache instead.

    python benchmarks/bench_commands.py              # 5 turns each
    python benchmarks/bench_commands.py --runs 9 --only gaps stats
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOORS = Path(__file__).resolve().parent / "floors.py"


def airisk(*args: str) -> list[str]:
    exe = Path(sys.executable).parent / "airisk"
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "graph", *args]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return dt, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", nargs="+", default=["help", "validate", "stats", "gaps"])
    ap.add_argument("--cold", action="store_true", help="an empty cache for every run of a command")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="airisk-bench-"))
    env = dict(os.environ)
    env["AIRISK_WORKSPACE"] = str(tmp / "workspace")
    env["AIRISK_CACHE_DIR"] = str(tmp / "cache")
    nt = tmp / "graph.nt"
    timed(airisk("export", "--format", "nt", "--out", str(nt)), env)
    data_nt = tmp / "curated.nt"
    subprocess.run([sys.executable, str(FLOORS), "curated", str(nt), str(data_nt)], check=True)

    cases = {
        "help": (airisk("--help"), [sys.executable, "-c", "pass"], "python -c pass"),
        "validate": (
            airisk("validate"),
            [sys.executable, str(FLOORS), "validate", str(data_nt)],
            "pySHACL without sh:sparql + those checks as SPARQL on pyoxigraph",
        ),
        "stats": (airisk("stats"), [sys.executable, str(FLOORS), "stats", str(nt)], "bulk_load + stats queries"),
        "gaps": (airisk("gaps"), [sys.executable, str(FLOORS), "gaps", str(nt)], "bulk_load + one gap query"),
    }
    cache = "empty each run" if args.cold else "warm"
    print(f"{args.runs} turns each, subject and comparator alternated; cache {cache}; load {os.getloadavg()[0]:.1f}")
    print("wall: elapsed seconds (medians); cpu: user + system seconds of the process (medians; less")
    print("sensitive to other work on the machine)")
    print(f"{'command':<18}{'wall s':>8}{'floor':>8}{'ratio':>7}{'cpu s':>8}{'floor':>8}{'ratio':>7}  comparator")
    try:
        for name in args.only:
            subject, floor, what = cases[name]
            timed(subject, env)  # warm-up: fills the cache, the page cache
            timed(floor, env)
            s_times, f_times = [], []
            for _ in range(args.runs):
                if args.cold:
                    shutil.rmtree(tmp / "cache", ignore_errors=True)
                s_times.append(timed(subject, env))
                f_times.append(timed(floor, env))
            s, f = statistics.median(t for t, _ in s_times), statistics.median(t for t, _ in f_times)
            sc, fc = statistics.median(c for _, c in s_times), statistics.median(c for _, c in f_times)
            label = "airisk " + ("--help" if name == "help" else name)
            print(f"{label:<18}{s:>8.3f}{f:>8.3f}{s / f:>6.1f}x{sc:>8.3f}{fc:>8.3f}{sc / max(fc, 1e-3):>6.1f}x  {what}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
