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


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return dt


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
    print(f"{args.runs} turns each, subject and comparator alternated; cache {cache}")
    print(f"{'command':<18}{'subject s':>10}{'floor s':>10}{'ratio':>8}  comparator")
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
            s, f = statistics.median(s_times), statistics.median(f_times)
            label = "airisk " + ("--help" if name == "help" else name)
            print(f"{label:<18}{s:>10.3f}{f:>10.3f}{s / f:>7.1f}x  {what}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
