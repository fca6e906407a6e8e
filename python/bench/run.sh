#!/usr/bin/env bash
# Benchmarks the nessie-go nessie_backend_mem against the published PyO3
# wheel on the same workload (bench.py). The two share an import name, so
# each lives in its own virtual environment and runs in its own process;
# rounds alternate between them so that machine load hits both alike.
#
# Usage: python/bench/run.sh [rounds] [bench.py args...]   (default 3 rounds)
# Environment: NESSIE_BENCH_DIR (default python/.bench): venvs and results.
# Prints a Markdown table (bench/compare.py); exits 1 if a target is missed.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"   # .../python
dir="${NESSIE_BENCH_DIR:-$here/.bench}"
rounds="${1:-3}"
shift || true
python="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
unset NESSIE_BACKEND_MEM_LIB NESSIE_BACKEND_MEM_ENCODING

mkdir -p "$dir"
[ -x "$dir/go/bin/python" ] || "$python" -m venv "$dir/go"
[ -x "$dir/pyo3/bin/python" ] || "$python" -m venv "$dir/pyo3"
"$dir/go/bin/python" -m pip install --quiet --force-reinstall --no-deps "$here"
"$dir/pyo3/bin/python" -m pip install --quiet "nessie-backend-mem==0.3.1"

rm -f "$dir"/result-*.json
cd "$dir"   # outside the source tree: import the installed packages
for r in $(seq 1 "$rounds"); do
  for side in pyo3 go; do
    echo "round $r: $side" >&2
    "$dir/$side/bin/python" "$here/bench/bench.py" "$@" > "$dir/result-$side-$r.json"
  done
done
"$python" "$here/bench/compare.py" "$dir"/result-go-*.json -- "$dir"/result-pyo3-*.json
