#!/usr/bin/env bash
# Long local fuzzing run: every Go fuzz target of the packages below, one
# after the other, each for FUZZTIME. CI only replays the seed corpora
# (plain `go test`); this is the run whose figures RELIABILITY.md records.
#
# Usage: reliability/fuzz.sh            (FUZZTIME=2m per target by default)
# Env:   FUZZTIME   per-target budget, e.g. 30s, 5m
#        PARALLEL   fuzzing workers per target (default 2: the machine's cores)
#        FUZZ_PKGS  packages to search for targets (default below)
# A crash stops the script; the failing input is saved under the package's
# testdata/fuzz/<Target>/, where plain `go test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-2m}
parallel=${PARALLEL:-2}
pkgs=${FUZZ_PKGS:-"./reliability/fuzz ./python/internal/abi"}
summary=$(mktemp)

for pkg in $pkgs; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "== $pkg $target ($fuzztime)"
    log=$(mktemp)
    if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" \
        -fuzzminimizetime 10s -parallel "$parallel" 2>&1 | tee "$log" | grep -E '^(---|FAIL|ok|    )|panic|Failing input'; then
      :
    fi
    if grep -q '^--- FAIL\|^FAIL' "$log"; then
      echo "$pkg $target FAILED: see the saved input under $pkg/testdata/fuzz/$target" | tee -a "$summary"
      cat "$summary"
      exit 1
    fi
    last=$(grep -E '^fuzz: elapsed' "$log" | tail -1)
    echo "$pkg $target: ${last#fuzz: }" | tee -a "$summary"
    rm -f "$log"
  done
done

echo
echo "== summary (no failures)"
cat "$summary"
