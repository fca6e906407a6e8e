#!/usr/bin/env bash
# Tests the Python binding as a user gets it: installs ./python into a
# virtual environment (pip builds the Go core into the extension), installs
# pytest and the published nessie-backend-conformance suite from PyPI, and
# runs python/tests against the installed package. Then:
#   - abi3: builds the wheel and audits it with abi3audit (no symbol outside
#     the stable ABI of 3.10), and checks the extension's source holds no
#     private CPython name and no dlsym (which abi3audit cannot see);
#   - differential: installs the published nessie-backend-mem==0.3.1 into a
#     second venv and runs scripts/differential.py: seeded random call
#     sequences against both, compared call by call. Any divergence in the
#     default mode fails; the strict mode's divergences are summarised.
#
# Usage: python/scripts/test.sh [pytest args...]   (from anywhere)
# Needs: Go 1.26+ with cgo and a C compiler, Python 3.10+ (python3, or $PYTHON).
# Environment: NESSIE_PY_VENV (default python/.venv), NESSIE_PY_UPSTREAM_VENV
# (default python/.venv-upstream), NESSIE_DIFF_SEEDS (default 1,2,3),
# NESSIE_DIFF_OPS (calls per seed, default 4000), PYTHON. Without a
# working venv module it falls back to pip --user with PYTHONUSERBASE=python/.pyuser.
# Exit status: pytest's, except that "no tests collected" (5) is a failure.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"   # .../python
venv="${NESSIE_PY_VENV:-$here/.venv}"
python="${PYTHON:-python3}"

command -v go >/dev/null || { echo "test.sh: go is not on PATH (the build needs Go 1.26+)" >&2; exit 2; }
"$python" - <<'EOF' || { echo "test.sh: $python is older than 3.10" >&2; exit 2; }
import sys
sys.exit(sys.version_info < (3, 10))
EOF

# The extension compiles against Python.h: on Debian/Ubuntu as root, fetch
# the headers if they are missing, as compat/venv.sh does for python3-venv.
inc="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
if [ ! -f "$inc/Python.h" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: $inc/Python.h is missing; installing python3-dev" >&2
    apt-get update -qq && apt-get install -y -qq python3-dev >/dev/null
  else
    echo "test.sh: $inc/Python.h is missing: install the Python headers (python3-dev)" >&2
    exit 2
  fi
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
pipflags=()
if [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"; then
  py="$venv/bin/python"
else
  # No venv module (e.g. Debian without python3-venv): install into a
  # user base of our own instead, which the run below puts on sys.path.
  rm -rf "$venv"
  export PYTHONUSERBASE="$here/.pyuser"
  echo "== venv unavailable; pip --user into $PYTHONUSERBASE"
  py="$python"
  pipflags=(--user)
  if "$py" -m pip install --help | grep -q -- --break-system-packages; then
    pipflags+=(--break-system-packages)
  fi
fi
# Build from this checkout, whatever the caller's environment says.
unset NESSIE_GO_MODULE_ROOT

echo "== pip install ./python (builds the Go core into the extension)"
"$py" -m pip install --quiet "${pipflags[@]}" --force-reinstall --no-deps "$here"
echo "== pip install pytest nessie-backend-conformance abi3audit"
"$py" -m pip install --quiet "${pipflags[@]}" "pytest>=7" "nessie-backend-conformance==0.3.1" abi3audit

echo "== pytest"
# Run from outside the source tree so that `import nessie_backend_mem`
# finds the installed package, not python/nessie_backend_mem.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
status=0
"$py" -m pytest -p no:cacheprovider -ra "$here/tests" "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "test.sh: pytest collected no tests" >&2
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"

echo "== abi3: abi3audit on the wheel; no private CPython names in the extension"
"$py" -m pip wheel --quiet --no-deps -w "$tmp/wheel" "$here"
"$py" -m abi3audit --strict --summary "$tmp"/wheel/*.whl
if grep -nE '\b_Py[A-Za-z]|\bdlsym\b|\bdlopen\b' "$here/cext/_core.c"; then
  echo "test.sh: the extension uses a private CPython name or dlsym/dlopen" >&2
  exit 1
fi

echo "== differential: against the published nessie-backend-mem==0.3.1"
upvenv="${NESSIE_PY_UPSTREAM_VENV:-$here/.venv-upstream}"
if [ -x "$upvenv/bin/python" ] || "$python" -m venv "$upvenv"; then
  upy="$upvenv/bin/python"
  "$upy" -m pip install --quiet "nessie-backend-mem==0.3.1"
else
  # No venv module: a --target directory and a wrapper that puts it
  # first on sys.path (and ours, in the user site, out of it).
  rm -rf "$upvenv"
  "$python" -m pip install --quiet --target "$upvenv/lib" "nessie-backend-mem==0.3.1"
  upy="$upvenv/python"
  printf '#!/bin/sh\nPYTHONNOUSERSITE=1 PYTHONPATH="%s" exec "%s" "$@"\n' "$upvenv/lib" "$(command -v "$python")" > "$upy"
  chmod +x "$upy"
fi
seeds="${NESSIE_DIFF_SEEDS:-1,2,3}"
ops="${NESSIE_DIFF_OPS:-4000}"
"$py" "$here/scripts/differential.py" --ours "$py" --upstream "$upy" --seeds "$seeds" --ops "$ops" --show 5
"$py" "$here/scripts/differential.py" --ours "$py" --upstream "$upy" --seeds "$seeds" --ops "$ops" --strict --show 0
