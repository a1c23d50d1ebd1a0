#!/usr/bin/env bash
# Installs the package into .venv (compiling the C core, with the demo's
# extras: Jinja2 and PyJWT) and serves the demo on http://127.0.0.1:5000
# until interrupted. An optional argument sets the port.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x .venv/bin/python ] || python3 -m venv .venv
# editable, like tests/setup.sh: the package is imported from python/ with
# the compiled core built next to it
.venv/bin/pip install -q -e ".[demo]"
exec .venv/bin/python examples/demo/app.py "$@"
