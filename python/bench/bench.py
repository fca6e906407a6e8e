"""One benchmark run of whichever nessie_backend_mem is importable.

The PyO3 wheel and the nessie-go package share the import name, so
bench/run.sh runs this script once per virtual environment and compares
the JSON it prints. The workload uses only the API both packages have.

Per-call figures are the mean of a tight loop over N distinct objects
(N = 10,000 unless --n says otherwise); each figure is the best (lowest)
over --reps fresh backends, since on a shared machine noise only ever
adds time. --clock wall (the default) times with perf_counter; --clock cpu
with process_time, the CPU time of every thread of the process (the Go
runtime's own threads included), which a loaded machine disturbs less.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import platform
import random
import sys
import time


def one_run(n: int, list_reps: int, clock=time.perf_counter_ns) -> dict[str, float]:
    from nessie_backend_mem import MemBackend

    b = MemBackend()
    out: dict[str, float] = {}

    t = clock()
    vols = [b.create_volume(f"vol-{i:06d}", 1 << 30) for i in range(n)]
    out["create_volume_ns"] = (clock() - t) / n

    ids = [v["uuid"] for v in vols]
    order = ids[:]
    random.Random(1).shuffle(order)
    t = clock()
    for u in order:
        b.get_volume(u)
    out["get_volume_ns"] = (clock() - t) / n

    t = clock()
    for _ in range(list_reps):
        listed = b.list_volumes()
    out["list_volumes_10k_ns"] = (clock() - t) / list_reps
    assert len(listed) == n

    t = clock()
    snaps = [b.create_snapshot(u, "pre-build") for u in ids]
    out["create_snapshot_ns"] = (clock() - t) / n

    t = clock()
    for u, s in zip(ids, snaps):
        b.get_snapshot(u, s["uuid"])
    out["get_snapshot_ns"] = (clock() - t) / n

    t = clock()
    clones = [b.create_clone(u, s["uuid"], f"clone-{i:06d}") for i, (u, s) in enumerate(zip(ids, snaps))]
    out["create_clone_ns"] = (clock() - t) / n

    t = clock()
    for c in clones:
        b.delete_volume(c["uuid"])
    out["delete_volume_ns"] = (clock() - t) / n

    t = clock()
    for u in ids:
        b.capabilities()
    out["capabilities_ns"] = (clock() - t) / n
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10_000, help="volumes per run")
    ap.add_argument("--reps", type=int, default=5, help="fresh backends; figures are the best of them")
    ap.add_argument("--list-reps", type=int, default=20, help="list_volumes calls per run")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = ap.parse_args()
    clock = time.perf_counter_ns if args.clock == "wall" else time.process_time_ns

    import nessie_backend_mem

    one_run(1000, 2)  # warm up: imports, caches, the Go runtime's first GC
    runs = [one_run(args.n, args.list_reps, clock) for _ in range(args.reps)]
    result = {k: min(r[k] for r in runs) for k in runs[0]}
    json.dump(
        {
            "package": importlib.metadata.version("nessie-backend-mem"),
            "file": nessie_backend_mem.__file__,
            "python": platform.python_version(),
            "n": args.n,
            "reps": args.reps,
            "clock": args.clock,
            "results": result,
        },
        sys.stdout,
        indent=1,
    )
    print()


if __name__ == "__main__":
    main()
