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
# packages itself.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go vet"
go vet ./...

echo "== staticcheck"
if ! command -v staticcheck >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
  go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
PATH="$(go env GOPATH)/bin:$PATH" staticcheck ./...

echo "== CGO_ENABLED=0 go build ./..."
CGO_ENABLED=0 go build ./...

echo "== go test -race ./..."
go test -race -count=1 ./...

echo "== python binding (python/scripts/test.sh)"
python/scripts/test.sh -q

echo "== netapp-ontap SDK against nessie serve (compat/sdk/run.sh)"
compat/sdk/run.sh -q

echo "== generated ONTAP schema matches the SDK (ontap/schema/gen.py --check)"
"${COMPAT_VENV:-compat/sdk/.venv}/bin/python" ontap/schema/gen.py --check

echo "== netapp.ontap Ansible collection against nessie serve (compat/ansible/run.sh)"
compat/ansible/run.sh

# Reaching this line means every stage above passed (set -e stops at the first failure).
echo "stages: 8 passed, 0 failed"   # vet, staticcheck, build, go test, Python, SDK, schema, Ansible
