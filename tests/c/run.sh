#!/usr/bin/env bash
# Builds and runs the C unit tests under ASan+UBSan with gcc, and with clang
# when it is installed.
set -euo pipefail
cd "$(dirname "$0")"
make --no-print-directory CC=gcc run
if command -v clang >/dev/null; then make --no-print-directory CC=clang run; fi
