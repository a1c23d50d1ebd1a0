#!/usr/bin/env bash
# Puts the utemplate package (1.4.1, from PyPI) in a cache directory outside
# the tree and prints that directory: add it to sys.path (CPython) or
# MICROPYPATH (MicroPython) to import `utemplate`.
#
# Why not `pip install utemplate`: its sdist is in MicroPython's package
# format (no setup.py, no pyproject.toml), so pip refuses to build it, and
# `pip download` refuses it for the same reason. This script asks pip's own
# package finder (so the index, proxy and certificate settings are pip's)
# for the sdist, checks its sha256, and unpacks the `utemplate/` package.
#
# Usage: tests/fetch_utemplate.sh [DEST]   (DEST defaults to
#        $MICRODOT_UTEMPLATE_DIR or ~/.cache/microdot-test/utemplate-1.4.1)
set -euo pipefail
cd "$(dirname "$0")/.."
DEST="${1:-${MICRODOT_UTEMPLATE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/microdot-test/utemplate-1.4.1}}"
PYTHON="${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}"

if [ -f "$DEST/utemplate/source.py" ]; then
    echo "$DEST"
    exit 0
fi

"$PYTHON" - "$DEST" <<'PY'
import hashlib
import io
import os
import sys
import tarfile

from pip._internal.commands import create_command
from pip._vendor.packaging.specifiers import SpecifierSet

VERSION = '1.4.1'
SHA256 = '43fde7c8b38dda1ff9c82cd829d22ec445f1e9d631455de705873051f83a0b20'
dest = sys.argv[1]

command = create_command('download')
options, _ = command.parse_args(['--no-deps', '--no-binary', ':all:'])
session = command._build_session(options)
finder = command._build_package_finder(options=options, session=session)
found = finder.find_best_candidate('utemplate', SpecifierSet('==' + VERSION))
if found.best_candidate is None:
    sys.exit('fetch_utemplate: utemplate {} not found on the index'.format(
        VERSION))
response = session.get(found.best_candidate.link.url, timeout=60)
response.raise_for_status()
data = response.content
if hashlib.sha256(data).hexdigest() != SHA256:
    sys.exit('fetch_utemplate: sha256 mismatch for utemplate {}'.format(
        VERSION))

tmp = dest + '.tmp'
os.makedirs(os.path.join(tmp, 'utemplate'), exist_ok=True)
prefix = 'utemplate-{}/utemplate/'.format(VERSION)
with tarfile.open(fileobj=io.BytesIO(data)) as tar:
    for member in tar.getmembers():
        name = member.name
        if not member.isfile() or not name.startswith(prefix):
            continue
        rel = name[len(prefix):]
        if '/' in rel or not rel.endswith('.py'):
            continue
        with open(os.path.join(tmp, 'utemplate', rel), 'wb') as f:
            f.write(tar.extractfile(member).read())
# utemplate ships no __init__.py (a namespace package): CPython and
# MicroPython both import it that way, so none is added.
if os.path.isdir(dest):
    import shutil
    shutil.rmtree(dest)
os.rename(tmp, dest)
PY
echo "$DEST"
