"""Compare bench.py results of the nessie-go package and the PyO3 wheel.

Usage: compare.py GO.json [GO.json ...] -- PYO3.json [PYO3.json ...]
Each file is one bench.py run; with several rounds per side the best
(lowest) figure of the rounds is compared, as bench.py does within a run.
Prints a Markdown table and the verdict on the targets: every operation at
most 1.0x the wheel's time (the goal), none above 1.5x (the limit). Exit
status 1 if an operation is above the limit.
"""

from __future__ import annotations

import json
import sys

TARGET = 1.0  # the goal for every operation
LIMIT = 1.5  # no operation above this
ROWS = [
    ("create_volume_ns", "create_volume", "µs"),
    ("get_volume_ns", "get_volume", "µs"),
    ("create_snapshot_ns", "create_snapshot", "µs"),
    ("get_snapshot_ns", "get_snapshot", "µs"),
    ("create_clone_ns", "create_clone", "µs"),
    ("delete_volume_ns", "delete_volume (clones)", "µs"),
    ("capabilities_ns", "capabilities", "µs"),
    ("list_volumes_10k_ns", "list_volumes at 10k volumes", "ms"),
]


def load(paths: list[str]) -> dict[str, float]:
    runs = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            runs.append(json.load(f)["results"])
    return {k: min(r[k] for r in runs) for k in runs[0]}


def main() -> int:
    args = sys.argv[1:]
    if "--" not in args:
        raise SystemExit(__doc__)
    cut = args.index("--")
    go, pyo3 = load(args[:cut]), load(args[cut + 1:])
    print(f"| operation | PyO3 wheel | nessie-go | ratio (go / PyO3) | ≤ {TARGET:.1f} | ≤ {LIMIT:.1f} |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    over = 0
    for key, label, unit in ROWS:
        scale = 1e3 if unit == "µs" else 1e6
        ratio = go[key] / pyo3[key]
        over += ratio > LIMIT
        print(f"| {label} | {pyo3[key] / scale:.2f} {unit} | {go[key] / scale:.2f} {unit} | "
              f"{ratio:.2f} | {'yes' if ratio <= TARGET else 'no'} | {'yes' if ratio <= LIMIT else 'no'} |")
    n = 10_000
    print()
    print(f"Bulk: creating {n:,} volumes takes {go['create_volume_ns'] * n / 1e6:.0f} ms "
          f"(PyO3 {pyo3['create_volume_ns'] * n / 1e6:.0f} ms); listing {n:,} volumes "
          f"runs at {n / (go['list_volumes_10k_ns'] / 1e9) / 1e6:.2f} M volumes/s "
          f"(PyO3 {n / (pyo3['list_volumes_10k_ns'] / 1e9) / 1e6:.2f} M volumes/s).")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
