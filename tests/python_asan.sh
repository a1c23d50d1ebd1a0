#!/usr/bin/env bash
# Memory safety of the CPython extensions (microdot._cmicrodot, cffi, and
# microdot._cbuild, C API):
#   1. builds them with AddressSanitizer + UBSan into build/asan, and runs the
#      cffi backend's vector tests, the differential test and the _cbuild
#      tests through them (libasan preloaded into the venv's python);
#   2. with VALGRIND=1, also runs the cffi vector tests under valgrind
#      memcheck with the normal build (errors in the extension's frames fail).
# Any sanitizer report fails the script.
# Usage: bash tests/python_asan.sh              (about 30 s)
#        VALGRIND=1 bash tests/python_asan.sh   (about 3 minutes more)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
OUT=$ROOT/build/asan
rm -rf "$OUT"
mkdir -p "$OUT/tmp"
cp -r python/microdot "$OUT/microdot"
rm -f "$OUT"/microdot/_cmicrodot*.so "$OUT"/microdot/_cbuild*.so

echo "== building microdot._cmicrodot with ASan+UBSan"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
CFLAGS="$SAN" LDFLAGS="-fsanitize=address,undefined" "$PY" - "$OUT" <<'EOF'
import os, shutil, sys
sys.path.insert(0, os.path.join(os.getcwd(), 'ports', 'cffi'))
import build_cffi
out = sys.argv[1]
built = build_cffi.make_builder(absolute=True).compile(
    tmpdir=os.path.join(out, 'tmp'))
shutil.copy(built, os.path.join(out, 'microdot', os.path.basename(built)))
# microdot._cbuild: setuptools' build_ext takes CFLAGS/LDFLAGS from the
# environment
from setuptools import Distribution
dist = Distribution({'ext_modules': [build_cffi.cbuild_extension(absolute=True)]})
cmd = dist.get_command_obj('build_ext')
cmd.build_lib = out
cmd.build_temp = os.path.join(out, 'tmp', 'cbuild')
cmd.ensure_finalized()
cmd.run()
EOF

LIBASAN=$(${CC:-gcc} -print-file-name=libasan.so)
LIBUBSAN=$(${CC:-gcc} -print-file-name=libubsan.so)
echo "== cffi vectors and differential test under ASan ($LIBASAN)"
env PYTHONPATH="$OUT" LD_PRELOAD="$LIBASAN $LIBUBSAN" \
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    MICRODOT_REQUIRE_CFFI=1 MICRODOT_DIFF_SCALE=0.3 \
    "$PY" -m pytest -q -p no:cacheprovider \
    tests/python/test_backend_vectors.py tests/python/test_diff_backends.py \
    tests/python/test_cffi_memory.py \
    -k "(cffi or diff or agree or memory) and not growth"
echo "== the cffi glue (ports/cffi/md_pack.c) under ASan"
env PYTHONPATH="$OUT" LD_PRELOAD="$LIBASAN $LIBUBSAN" \
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    MICRODOT_REQUIRE_CFFI=1 \
    "$PY" -m pytest -q -p no:cacheprovider \
    tests/python/test_cffi_pack.py tests/python/test_cffi_route.py \
    tests/python/test_cffi_checks.py tests/python/test_cffi_pairs.py \
    tests/python/test_cffi_name_slots.py
echo "== the C-API builders (ports/cffi/md_pybuild.c) under ASan"
env PYTHONPATH="$OUT" LD_PRELOAD="$LIBASAN $LIBUBSAN" \
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    MICRODOT_REQUIRE_CFFI=1 \
    "$PY" -m pytest -q -p no:cacheprovider \
    tests/python/test_cpython_cbuild.py tests/python/test_cpython_builders.py \
    tests/python/test_review3_cbuild_fastpath.py -k "not install"
"$PY" - "$OUT" <<'EOF'
# the ASan build really was the one loaded
import os, subprocess, sys
out = sys.argv[1]
for name in ('_cmicrodot', '_cbuild'):
    so = [f for f in os.listdir(os.path.join(out, 'microdot')) if f.startswith(name)]
    syms = subprocess.run(['nm', '-D', os.path.join(out, 'microdot', so[0])],
                          capture_output=True, text=True).stdout
    assert '__asan_' in syms, name + ' is not instrumented'
EOF

if [ -n "${VALGRIND:-}" ]; then
    echo "== cffi vectors under valgrind memcheck (normal build)"
    LOG=$OUT/valgrind.log
    env PYTHONMALLOC=malloc MICRODOT_REQUIRE_CFFI=1 \
        valgrind --tool=memcheck --log-file="$LOG" \
        --errors-for-leak-kinds=none --track-origins=no \
        "$PY" -m pytest -q -p no:cacheprovider \
        tests/python/test_backend_vectors.py -k cffi
    # CPython itself trips memcheck in a few known places; only errors with
    # a frame in the extension (md_* or _cmicrodot) count.
    "$PY" - "$LOG" <<'EOF2'
import re, sys
blocks = re.split(r'\n==\d+== \n', open(sys.argv[1]).read())
ours = [b for b in blocks if re.search(r'_cmicrodot|\bmd_\w+ \(', b)]
print('valgrind: {} error blocks, {} in the extension'.format(len(blocks) - 1, len(ours)))
if ours:
    print('\n\n'.join(ours[:5]))
    sys.exit(1)
EOF2
fi
echo "== no memory errors"
