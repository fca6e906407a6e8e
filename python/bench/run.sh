#!/usr/bin/env bash
# Benchmarks the nessie-go nessie_backend_mem against the published PyO3
# wheel on the same workload (bench.py). The two share an import name, so
# each lives in its own virtual environment and runs in its own process;
# rounds alternate between them so that machine load hits both alike.
#
# Usage: python/bench/run.sh [rounds] [bench.py args...]   (default 3 rounds)
# Environment: NESSIE_BENCH_DIR (default python/.bench): venvs and results.
# NESSIE_BENCH_BASELINE: another copy of python/ (an older build, say) to
# run as a third side in the same rounds, for before/after figures.
# Prints a Markdown table (bench/compare.py); exits 1 if an operation is
# above 1.5x the wheel.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"   # .../python
dir="${NESSIE_BENCH_DIR:-$here/.bench}"
rounds="${1:-3}"
shift || true
python="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

mkdir -p "$dir"
[ -x "$dir/go/bin/python" ] || "$python" -m venv "$dir/go"
[ -x "$dir/pyo3/bin/python" ] || "$python" -m venv "$dir/pyo3"
"$dir/go/bin/python" -m pip install --quiet --force-reinstall --no-deps "$here"
"$dir/pyo3/bin/python" -m pip install --quiet "nessie-backend-mem==0.3.1"
sides="pyo3 go"
if [ -n "${NESSIE_BENCH_BASELINE:-}" ]; then
  [ -x "$dir/baseline/bin/python" ] || "$python" -m venv "$dir/baseline"
  "$dir/baseline/bin/python" -m pip install --quiet --force-reinstall --no-deps "$NESSIE_BENCH_BASELINE"
  sides="pyo3 baseline go"
fi

uptime >&2
rm -f "$dir"/result-*.json
cd "$dir"   # outside the source tree: import the installed packages
for r in $(seq 1 "$rounds"); do
  for side in $sides; do
    echo "round $r: $side" >&2
    "$dir/$side/bin/python" "$here/bench/bench.py" "$@" > "$dir/result-$side-$r.json"
  done
done
if [ -n "${NESSIE_BENCH_BASELINE:-}" ]; then
  echo "baseline ($NESSIE_BENCH_BASELINE) against the PyO3 wheel:"
  "$python" "$here/bench/compare.py" "$dir"/result-baseline-*.json -- "$dir"/result-pyo3-*.json || true
  echo
  echo "this tree against the PyO3 wheel:"
fi
status=0
"$python" "$here/bench/compare.py" "$dir"/result-go-*.json -- "$dir"/result-pyo3-*.json || status=$?
uptime >&2
exit "$status"
