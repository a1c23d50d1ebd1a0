#!/usr/bin/env bash
# Installs everything and runs every test: the README's test command, and what
# .ci/run calls. FUZZ_SECONDS bounds each fuzz harness (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

stage() { echo; echo "======== $1"; shift; local t=$SECONDS; "$@"; echo "-------- ($((SECONDS - t)) s)"; }

stage "setup" bash tests/setup.sh
stage "C unit tests (ASan+UBSan)" bash tests/c/run.sh
stage "fuzz (libFuzzer, ASan+UBSan)" make --no-print-directory -C tests/fuzz run SECONDS="${FUZZ_SECONDS:-60}"
stage "MicroPython builds and tests" bash tests/mpy/run.sh
stage "WebSocket conformance (Autobahn via kosoku)" bash tests/autobahn/run.sh
stage "cffi extension under ASan" bash tests/python_asan.sh
stage "browser (headless Chromium)" bash tests/browser/run.sh
stage "API reference (pdoc, no warnings, every public name documented)" bash docs/build.sh --strict
stage "benchmarks, smoke pass (numbers gate nothing)" python bench/run.py --quick
stage "CPython (pytest)" env MICRODOT_REQUIRE_CFFI=1 python -m pytest tests/python tests/soak -q -p no:cacheprovider
