"""`make bench` runs every benchmark; `make bench-smoke` runs each at a tiny size so none rots.

Each benchmark is a module bench/bench_*.py with `main(argv)`; sizes come from its own flags.
Each runs in its own process: a benchmark configures Django for its own throwaway database,
and Django can be set up only once per process.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import time
from pathlib import Path

SMOKE_ARGS = {
    "bench_scoring": ["--rows", "2000"],
    "bench_reading": ["--rows", "2000"],
}


def main() -> int:
    smoke = "--smoke" in sys.argv
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    here = Path(__file__).parent
    failed = []
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if not info.name.startswith("bench_") or (only and info.name not in only):
            continue
        args = SMOKE_ARGS.get(info.name, ["--smoke"]) if smoke else []
        print(f"== {info.name} {' '.join(args)}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, "-m", f"bench.{info.name}", *args], cwd=here.parent)  # noqa: S603
        if rc:
            failed.append(info.name)
            print(f"   FAILED (exit {rc})")
        print(f"   ({time.perf_counter() - t0:.1f} s)", flush=True)
    if failed:
        print("benchmarks that failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
