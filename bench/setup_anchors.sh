#!/usr/bin/env bash
# Installs the benchmark anchors, each in its own virtualenv under
# build/bench-venvs/ (PyPI only), and fetches upstream Microdot's .py files for
# MicroPython. Idempotent: a venv whose stamp file exists is kept.
#   ours/       uvicorn[standard], gunicorn, httptools, websockets, cffi —
#               runs OUR microdot from python/ (PYTHONPATH), with the cffi
#               extension built in place if it is missing
#   upstream/   microdot==2.7.0, uvicorn[standard]
#   starlette/  starlette, uvicorn[standard]
#   upstream-mpy/microdot/  upstream 2.7.0's package, for MICROPYPATH
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venvs=$root/build/bench-venvs
mkdir -p "$venvs"
PY=${PYTHON:-python3}

make_venv() {  # name, packages...
    local name=$1; shift
    local dir=$venvs/$name
    local want="$*"
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$want" ]; then
        return
    fi
    echo "bench: creating $dir ($want)"
    rm -rf "$dir"
    "$PY" -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check "$@"
    echo "$want" > "$dir/.stamp"
}

make_venv ours 'uvicorn[standard]' gunicorn httptools websockets cffi matplotlib &
make_venv upstream 'microdot==2.7.0' 'uvicorn[standard]' &
make_venv starlette starlette 'uvicorn[standard]' &
wait %1 && wait %2 && wait %3

# our cffi extension, built into the source tree (gitignored) when missing
if ! PYTHONPATH=$root/python "$venvs/ours/bin/python" -c 'import microdot._cmicrodot, microdot._cbuild' 2>/dev/null; then
    echo "bench: building microdot._cmicrodot and microdot._cbuild in place"
    (cd "$root" && "$venvs/ours/bin/python" ports/cffi/build_cffi.py >/dev/null)
fi

# upstream's package for MicroPython: its .py files from the same PyPI wheel
mpy=$venvs/upstream-mpy
if [ ! -f "$mpy/microdot/microdot.py" ]; then
    site=$("$venvs/upstream/bin/python" -c 'import microdot, os; print(os.path.dirname(microdot.__file__))')
    rm -rf "$mpy" && mkdir -p "$mpy/microdot"
    cp "$site"/*.py "$mpy/microdot/"
fi
echo "bench: anchors ready in $venvs"
