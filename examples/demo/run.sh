#!/usr/bin/env bash
# Installs the package into .venv (compiling the C core) and serves the demo
# on http://127.0.0.1:5000 until interrupted.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q ".[demo]"
exec .venv/bin/python examples/demo/app.py "$@"
