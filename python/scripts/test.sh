#!/usr/bin/env bash
# Tests the Python binding as a user gets it: installs ./python into a
# virtual environment (pip builds the Go library), installs pytest and the
# published nessie-backend-conformance suite from PyPI, and runs
# python/tests against the installed package.
#
# Usage: python/scripts/test.sh [pytest args...]   (from anywhere)
# Needs: Go 1.26+ with cgo and a C compiler, Python 3.10+ (python3, or $PYTHON).
# Environment: NESSIE_PY_VENV (default python/.venv), PYTHON. Without a
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

echo "== pip install ./python (builds the Go library)"
"$py" -m pip install --quiet "${pipflags[@]}" --force-reinstall --no-deps "$here"
echo "== pip install pytest nessie-backend-conformance"
"$py" -m pip install --quiet "${pipflags[@]}" "pytest>=7" "nessie-backend-conformance==0.3.1"

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
exit "$status"
