#!/bin/bash
# Before/after/upstream REST side by side: three servers started together,
# alternated in every round (the order rotates), with the load generator and
# helpers of the upstream benchmark harness (see BENCHMARKS.md).
# Usage: BENCH_ROOT=<harness> BEFORE_BIN=<nessie> AFTER_BIN=<nessie> \
#        scripts/rest-ab.sh [rounds=3] [seconds=3] > cells.jsonl
# CELLS picks workloads:clients (default below); the report is
# python3 scripts/rest-ab-report.py cells.jsonl
set -u
source "${BENCH_ROOT:?set BENCH_ROOT to the benchmark harness folder}/common.sh"
ROUNDS=${1:-3}; SECS=${2:-3}
CELLS=${CELLS:-"list:16 listfull:16 list:64 listfull:64 getvol:16 createdel:64"}
D=$(mktemp -d)
start() { mkdir -p $D/$1; "$2" serve --listen 127.0.0.1:$3 --username admin --password $PW --data-dir $D/$1 --http --log-level warn > $D/$1.log 2>&1 & echo $!; }
BP=$(start before "${BEFORE_BIN:?}" 47361); AP=$(start after "${AFTER_BIN:?}" 47362)
up_config 47363 $D/up $D/up.toml; UPP=$(start_up $D/up.toml $D/up.log)
trap 'kill $BP $AP $UPP 2>/dev/null; rm -rf $D' EXIT
for p in 47361 47362 47363; do
  wait_ready http://127.0.0.1:$p || exit 1
  $B/lg -mode setup -url http://127.0.0.1:$p -n 1000 -prefix bv_ -out $D/vols-$p.txt >/dev/null
done
for r in $(seq 1 $ROUNDS); do for cell in $CELLS; do s=${cell%:*}; c=${cell#*:}
  case $((r % 3)) in 1) order="before after up";; 2) order="after up before";; 0) order="up before after";; esac
  for who in $order; do
    case $who in before) p=47361; pid=$BP;; after) p=47362; pid=$AP;; up) p=47363; pid=$UPP;; esac
    $B/lg -url http://127.0.0.1:$p -label $who -round $r -scenario $s -c $c -d ${SECS}s -warmup 1s \
      -vols $D/vols-$p.txt -pid $pid | sed "s/}\$/,\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\"}/"
  done
done; done
