#!/usr/bin/env bash
# Makes sure the WebSocket benchmark's anchors are installed (PyPI only),
# reusing what bench/setup_anchors.sh made when it is there:
#   .venv (shared)              ours, the `websockets` server, uvicorn + wsproto,
#                               matplotlib (installed into it when missing)
#   build/bench-venvs/upstream  microdot==2.7.0, else build/bench-venvs/ws-upstream
#   build/bench-venvs/upstream-mpy/microdot, else build/bench-venvs/ws-upstream-mpy/microdot
#                               upstream 2.7.0's .py files for MICROPYPATH
# Prints the upstream venv's directory and the upstream-mpy directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
venvs=$root/build/bench-venvs
PY=${PYTHON:-$root/.venv/bin/python}
mkdir -p "$venvs"

if ! "$PY" -c 'import websockets, uvicorn, wsproto, matplotlib' 2>/dev/null; then
    echo "bench/ws: installing websockets uvicorn wsproto matplotlib into $PY" >&2
    "$PY" -m pip install -q --disable-pip-version-check websockets uvicorn wsproto matplotlib >&2
fi

has_upstream() {
    [ -x "$1/bin/python" ] && "$1/bin/python" -c \
        'import importlib.metadata as m, sys; sys.exit(m.version("microdot") != "2.7.0")' 2>/dev/null
}
upstream=$venvs/upstream
if ! has_upstream "$upstream"; then
    upstream=$venvs/ws-upstream
    if ! has_upstream "$upstream"; then
        echo "bench/ws: creating $upstream (microdot==2.7.0)" >&2
        rm -rf "$upstream"
        python3 -m venv "$upstream"
        "$upstream/bin/pip" install -q --disable-pip-version-check 'microdot==2.7.0' >&2
    fi
fi

mpy=$venvs/upstream-mpy
if [ ! -f "$mpy/microdot/websocket.py" ]; then
    mpy=$venvs/ws-upstream-mpy
    if [ ! -f "$mpy/microdot/websocket.py" ]; then
        site=$("$upstream/bin/python" -c 'import microdot, os; print(os.path.dirname(microdot.__file__))')
        rm -rf "$mpy" && mkdir -p "$mpy/microdot"
        cp "$site"/*.py "$mpy/microdot/"
    fi
fi
echo "$upstream"
echo "$mpy"
