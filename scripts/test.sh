#!/usr/bin/env bash
# Runs every test nessie-go has: vet, staticcheck, the Go tests under the
# race detector. Usage: scripts/test.sh   (from anywhere in the repo)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go vet"
go vet ./...

echo "== staticcheck"
if ! command -v staticcheck >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
  go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
PATH="$(go env GOPATH)/bin:$PATH" staticcheck ./...

echo "== go test -race"
go test -race -count=1 ./...
