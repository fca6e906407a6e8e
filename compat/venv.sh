# Sourced by the compat suites' run.sh scripts.
#
# ensure_venv LABEL VENV PYTHON: create the virtual environment VENV with
# PYTHON unless it exists. On Debian without the venv module, as root, it
# installs python3-venv with apt-get first; otherwise it exits 2 with a hint.
ensure_venv() {
	local label=$1 venv=$2 python=$3
	[ -x "$venv/bin/python" ] && return 0
	echo "$label: creating venv $venv" >&2
	"$python" -m venv "$venv" && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		rm -rf "$venv"
		apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
		"$python" -m venv "$venv"
	else
		echo "$label: '$python -m venv' failed; install the venv module" >&2
		exit 2
	fi
}
