#!/usr/bin/env bash
# Runs schemathesis (property-based API testing, from PyPI, in a venv)
# against the OpenAPI document that `nessie serve` publishes.
#
# It builds cmd/nessie, starts it on loopback (HTTPS, a free port, a fresh
# data directory, a random password), downloads /docs/api/swagger.yaml
# with credentials, runs `st run` with HTTP Basic auth and every check,
# then stops the daemon with SIGTERM and requires a clean exit (0).
#
# Usage: reliability/schemathesis.sh [extra `st run` options]
# Env:   ST_MAX_TIME   time budget in seconds (default 120)
#        ST_WORKERS    concurrent workers (default 2)
#        ST_VENV       venv to create/reuse (default $TMPDIR/nessie-st-venv)
#        ST_OUT        directory for the report and logs (default a temp dir)
# Exit:  schemathesis's status, or non-zero if the daemon failed to start
#        or did not stop cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
max_time=${ST_MAX_TIME:-120}
workers=${ST_WORKERS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/nessie-st.XXXXXX")
out=${ST_OUT:-$work}
venv=${ST_VENV:-${TMPDIR:-/tmp}/nessie-st-venv}
mkdir -p "$out"

echo "== build"
go build -o "$work/nessie" ./cmd/nessie

echo "== venv ($venv)"
if [ ! -x "$venv/bin/st" ] || [ "$("$venv/bin/st" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

echo "== start nessie serve"
password="st-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
NESSIE_ADMIN_PASSWORD="$password" "$work/nessie" serve --listen 127.0.0.1:0 --data-dir "$work/data" \
  --log-format json --log-level warn >"$out/nessie.stdout" 2>"$out/nessie.stderr" &
pid=$!
stop_daemon() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    local rc=0
    wait "$pid" || rc=$?
    return "$rc"
  fi
  return 0
}
trap 'stop_daemon >/dev/null 2>&1 || true' EXIT

url=""
for _ in $(seq 1 200); do
  url=$(sed -n 's/^nessie: serving the ONTAP REST API at \(https\?:\/\/[^ ]*\).*/\1/p' "$out/nessie.stdout" | head -1)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "nessie exited:"; cat "$out/nessie.stderr"; exit 1; }
  sleep 0.05
done
[ -n "$url" ] || { echo "nessie did not report its URL"; cat "$out/nessie.stdout" "$out/nessie.stderr"; exit 1; }
echo "serving at $url"

curl -sfk -u "admin:$password" "$url/docs/api/swagger.yaml" -o "$out/swagger.yaml"

echo "== schemathesis $SCHEMATHESIS_VERSION (max ${max_time}s, $workers workers)"
st_rc=0
"$venv/bin/st" run "$out/swagger.yaml" --url "$url" \
  --auth "admin:$password" --tls-verify false \
  --checks all --workers "$workers" --max-time "$max_time" \
  --report junit,ndjson --report-dir "$out/report" \
  --no-color "$@" 2>&1 | tee "$out/schemathesis.txt" || st_rc=${PIPESTATUS[0]}

echo "== stop nessie (SIGTERM)"
trap - EXIT
daemon_rc=0
stop_daemon || daemon_rc=$?
if [ "$daemon_rc" -ne 0 ]; then
  echo "nessie exited $daemon_rc after SIGTERM (want 0: a graceful shutdown)"
  tail -20 "$out/nessie.stderr"
fi
grep -c '"level":"ERROR"' "$out/nessie.stderr" | sed 's/^/server error log lines: /' || true

echo "== results in $out (schemathesis exit $st_rc, nessie exit $daemon_rc)"
[ "$daemon_rc" -eq 0 ] || exit "$daemon_rc"
exit "$st_rc"
