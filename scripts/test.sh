#!/usr/bin/env bash
# Runs every test nessie-go has, in this order:
#   1. go vet and staticcheck over the whole module
#   2. go test -race ./...   (contract, mem, conformance suite, wire layer,
#      server, daemon, REST client, reliability battery, fuzz seed corpora)
#   3. the Python binding: pip-installs ./python into a venv and runs pytest,
#      including the published nessie-backend-conformance suite
#   4. real-client compatibility: NetApp's netapp-ontap SDK and the
#      netapp.ontap Ansible collection against `nessie serve` processes
# Usage: scripts/test.sh   (from anywhere in the repo)
# Needs Go 1.26 with cgo and a C compiler, Python 3.11+, and access to the Go
# module proxy and PyPI; the script installs staticcheck and the Python
# packages itself, into about 720 MB of virtual environments inside the
# checkout (python/.venv, compat/sdk/.venv, compat/ansible/.venv; all
# git-ignored). Run as root on Debian/Ubuntu without Python's venv module
# or C headers, it apt-get installs python3-venv or python3-dev system-wide.
# Each stage prints its wall time; the Ansible stage prints its playbook
# output only when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS=0
stages=()
# stage NAME COMMAND... runs one stage and records its wall time.
stage() {
  local name=$1 start=$SECONDS
  shift
  echo "== $name"
  "$@"
  stages+=("$(printf '%-48s %5ds' "$name" $((SECONDS - start)))")
  echo "   ($name: $((SECONDS - start))s)"
}

staticcheck_all() {
  if ! command -v staticcheck >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
    go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
  fi
  PATH="$(go env GOPATH)/bin:$PATH" staticcheck ./...
}

# ansible_quiet runs the Ansible suite with its output in a file, shown
# only if the suite fails (the playbook prints hundreds of lines).
ansible_quiet() {
  local log
  log=$(mktemp)
  if compat/ansible/run.sh >"$log" 2>&1; then
    grep -A3 '^PLAY RECAP' "$log" | grep -v -e '^PLAY RECAP' -e '^[[:space:]]*$' | sed 's/^/   /' || true
    rm -f "$log"
  else
    local rc=$?
    cat "$log"
    rm -f "$log"
    return $rc
  fi
}

stage "go vet" go vet ./...
stage "staticcheck" staticcheck_all
stage "CGO_ENABLED=0 go build ./..." env CGO_ENABLED=0 go build ./...
stage "go test -race ./..." go test -race -count=1 ./...
stage "python binding (python/scripts/test.sh)" python/scripts/test.sh -q
stage "netapp-ontap SDK (compat/sdk/run.sh)" compat/sdk/run.sh -q
stage "generated ONTAP schema matches the SDK (gen.py --check)" "${COMPAT_VENV:-compat/sdk/.venv}/bin/python" ontap/schema/gen.py --check
stage "netapp.ontap Ansible (compat/ansible/run.sh)" ansible_quiet
stage "netapp-ontap SDK, durable store" env NESSIE_STORE=durable compat/sdk/run.sh -q
NESSIE_STORE=durable stage "netapp.ontap Ansible, durable store" ansible_quiet

# Reaching this line means every stage above passed (set -e stops at the first failure).
echo "== timings"
printf '   %s\n' "${stages[@]}"
echo "   total ${SECONDS}s"
echo "stages: ${#stages[@]} passed, 0 failed"
