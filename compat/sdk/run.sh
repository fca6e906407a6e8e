#!/usr/bin/env bash
# Real-client compatibility: NetApp's netapp-ontap Python SDK (from PyPI,
# unmodified) against a `nessie serve` process over HTTPS.
#
#   compat/sdk/run.sh [pytest args...]     e.g. run.sh -k snapshot -x
#
# Builds the daemon with `go build`, creates a venv (compat/sdk/.venv, or
# $COMPAT_VENV), installs the pinned requirements and runs pytest. The exit
# status is pytest's: 0 all passed, 1 failures, 5 no tests collected (also a
# failure), anything else an error.
#
# Needs: go, python3 (3.9+) with venv, network to PyPI. As root on Debian
# without the venv module, it installs python3-venv with apt-get.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${COMPAT_VENV:-$here/.venv}"
python="${PYTHON:-python3}"

bindir="$(mktemp -d)"
trap 'rm -rf "$bindir"' EXIT

echo "compat/sdk: building nessie" >&2
(cd "$root" && CGO_ENABLED=0 go build -o "$bindir/nessie" ./cmd/nessie)

# shellcheck source=../venv.sh
. "$(dirname "${BASH_SOURCE[0]}")/../venv.sh"
ensure_venv compat/sdk "$venv" "$python"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"

export NESSIE_BIN="$bindir/nessie"
cd "$here"
set +e
"$venv/bin/python" -m pytest -c "$here/pytest.ini" "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
	echo "compat/sdk: pytest collected no tests; treating that as a failure" >&2
fi
exit "$rc"
