#!/usr/bin/env bash
# Runs every fuzz harness for SECONDS each (default 60): the libFuzzer
# harnesses of the C core (tests/fuzz/Makefile, ASan+UBSan), then, when the
# atheris package is installed, the differential harnesses: cffi vs pure,
# and microdot._cbuild's builders vs the pure rules.
#   bash tests/fuzz/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-60}
PY=${PYTHON:-../../.venv/bin/python}
make --no-print-directory run SECONDS="$SECONDS_EACH"
if "$PY" -c 'import atheris, microdot._cffi' 2>/dev/null \
        || PYTHONPATH=../../python "$PY" -c 'import atheris, microdot._cffi' 2>/dev/null; then
    CORPUS=../../build/fuzz/corpus_atheris
    LOG=../../build/fuzz/atheris_diff.log
    mkdir -p "$CORPUS"
    echo "== atheris_diff (cffi vs pure) for ${SECONDS_EACH}s"
    "$PY" atheris_diff.py -max_total_time="$SECONDS_EACH" -error_exitcode=77 \
        -print_final_stats=1 "$CORPUS" >"$LOG" 2>&1 || { tail -40 "$LOG"; exit 1; }
    grep -E 'stat::number_of_executed_units|Done' "$LOG" | tail -2
else
    echo "== atheris (or the cffi extension) not installed: differential fuzzing skipped"
fi
if PYTHONPATH=../../python "$PY" -c 'import atheris, microdot._cbuild' 2>/dev/null; then
    echo "== atheris_cbuild (_cbuild vs the pure rules) for ${SECONDS_EACH}s"
    make --no-print-directory cbuild SECONDS="$SECONDS_EACH"
fi
