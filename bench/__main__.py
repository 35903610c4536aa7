"""`make bench` runs every benchmark; `make bench-smoke` runs each at a tiny size so none rots.

Each benchmark is a module bench/bench_*.py with `main(argv)`; sizes come from its own flags.
"""

from __future__ import annotations

import importlib
import pkgutil
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
    failures = 0
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if not info.name.startswith("bench_") or (only and info.name not in only):
            continue
        mod = importlib.import_module(f"bench.{info.name}")
        args = SMOKE_ARGS.get(info.name, ["--smoke"]) if smoke else []
        print(f"== {info.name} {' '.join(args)}", flush=True)
        t0 = time.perf_counter()
        try:
            rc = mod.main(args) if hasattr(mod, "main") else 0
        except SystemExit as exc:
            rc = exc.code or 0
        except Exception as exc:  # noqa: BLE001 - report and go on to the next benchmark
            print(f"   FAILED: {exc!r}")
            rc = 1
        failures += 1 if rc else 0
        print(f"   ({time.perf_counter() - t0:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
