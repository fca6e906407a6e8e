#!/usr/bin/env bash
# Real-client compatibility: NetApp's netapp.ontap Ansible collection (as
# bundled, unmodified, in the `ansible` package from PyPI) against a
# `nessie serve` process over HTTPS.
#
#   compat/ansible/run.sh                       the suite (site.yml)
#   compat/ansible/run.sh -vvv                  the same, verbose (args go to ansible-playbook)
#   compat/ansible/run.sh other.yml             another playbook, same daemon set-up
#
# Builds the daemon with `go build`, creates a venv (compat/ansible/.venv, or
# $COMPAT_VENV), installs the pinned requirements, starts the daemon on a
# free loopback port with a random password and a temp data dir, runs the
# playbook with ansible-playbook (connection details as extra vars from a
# private file), then stops the daemon with SIGTERM. Exit status: 0 when the
# playbook passed and the daemon exited cleanly, non-zero otherwise.
#
# Needs: go, python3 (3.11+, for ansible-core 2.19) with venv, network to
# PyPI. As root on Debian without the venv module, it installs python3-venv
# with apt-get.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${COMPAT_VENV:-$here/.venv}"
python="${PYTHON:-python3}"

playbook="site.yml"
if [ $# -gt 0 ] && [[ "$1" == *.yml ]]; then
	playbook="$1"
	shift
fi

started=$SECONDS
work="$(mktemp -d)"
daemon_pid=""

# stop_daemon sends SIGTERM and waits (bounded) for the daemon; it sets
# daemon_rc to the daemon's exit status, or to "killed" if it had to be
# killed. (It must run in this shell, not a subshell, to wait for the child.)
daemon_rc=""
stop_daemon() {
	local i
	kill -TERM "$daemon_pid" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		kill -0 "$daemon_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$daemon_pid" 2>/dev/null; then
		kill -KILL "$daemon_pid" 2>/dev/null || true
		wait "$daemon_pid" 2>/dev/null || true
		daemon_rc=killed
	else
		daemon_rc=0
		wait "$daemon_pid" || daemon_rc=$?
	fi
	daemon_pid=""
}

cleanup() {
	if [ -n "$daemon_pid" ]; then
		stop_daemon
	fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "compat/ansible: building nessie" >&2
(cd "$root" && CGO_ENABLED=0 go build -o "$work/nessie" ./cmd/nessie)

# shellcheck source=../venv.sh
. "$(dirname "${BASH_SOURCE[0]}")/../venv.sh"
ensure_venv compat/ansible "$venv" "$python"
if ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
	echo "compat/ansible: ansible-core 2.19 needs Python 3.11+; set PYTHON or COMPAT_VENV" >&2
	exit 2
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"

# Ansible state stays in the temp dir, and only the collections bundled in
# the venv's `ansible` package are visible (not ~/.ansible/collections).
export ANSIBLE_CONFIG="$here/ansible.cfg"
export ANSIBLE_HOME="$work/ansible-home"
export ANSIBLE_COLLECTIONS_PATH="$work/no-collections"
mkdir -p "$ANSIBLE_HOME" "$ANSIBLE_COLLECTIONS_PATH"
"$venv/bin/ansible-galaxy" collection list netapp.ontap 2>/dev/null | grep -E '^netapp\.ontap ' >&2 || {
	echo "compat/ansible: the venv's ansible package has no netapp.ontap collection" >&2
	exit 2
}

# The daemon: names chosen here (the playbook checks it sees them), port 0,
# a random password passed in the environment, not argv.
cluster="ans_cluster" svm="vs_ans" aggr="aggr_ans" user="compat_admin"
cat >"$work/nessie.toml" <<EOF
cluster_name = "$cluster"
node_name = "ans-01"
svm_name = "$svm"
aggregate_name = "$aggr"
data_lif = "127.0.0.1"
EOF
# NESSIE_STORE=durable runs the playbook against the durable store.
if [ -n "${NESSIE_STORE:-}" ]; then echo "store = \"$NESSIE_STORE\"" >>"$work/nessie.toml"; fi
password="pw-$("$venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(18))')"

NESSIE_ADMIN_PASSWORD="$password" "$work/nessie" serve \
	--listen 127.0.0.1:0 --data-dir "$work/data" --config "$work/nessie.toml" \
	--username "$user" >"$work/stdout" 2>"$work/daemon.log" </dev/null &
daemon_pid=$!

# The first stdout line carries the URL; give the daemon up to 60 s.
port=""
for ((i = 0; i < 600; i++)); do
	line="$(head -n 1 "$work/stdout")"
	if [[ "$line" =~ ^nessie:\ serving\ the\ ONTAP\ REST\ API\ at\ https://127\.0\.0\.1:([0-9]+)$ ]]; then
		port="${BASH_REMATCH[1]}"
		break
	fi
	kill -0 "$daemon_pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$port" ]; then
	echo "compat/ansible: nessie did not report its URL; its output:" >&2
	cat "$work/stdout" "$work/daemon.log" >&2
	exit 1
fi
echo "compat/ansible: nessie serving on 127.0.0.1:$port" >&2

# Connection details go in a private vars file, so the password is not in
# any process's argv.
(
	umask 077
	"$venv/bin/python" - "$work/vars.json" <<EOF
import json, sys
json.dump({"nessie_port": $port, "nessie_username": "$user", "nessie_password": "$password",
           "nessie_cluster": "$cluster", "nessie_svm": "$svm", "nessie_aggr": "$aggr"},
          open(sys.argv[1], "w"))
EOF
)

set +e
"$venv/bin/ansible-playbook" -i localhost, -e "@$work/vars.json" "$here/$playbook" "$@"
rc=$?
set -e

stop_daemon
if [ "$daemon_rc" != 0 ]; then
	echo "compat/ansible: nessie did not exit cleanly on SIGTERM ($daemon_rc)" >&2
	[ "$rc" != 0 ] || rc=1
fi
if [ "$rc" != 0 ]; then
	echo "compat/ansible: FAILED (status $rc); the daemon's log:" >&2
	tail -n 40 "$work/daemon.log" >&2
fi
echo "compat/ansible: $playbook finished in $((SECONDS - started)) s, status $rc" >&2
exit "$rc"
