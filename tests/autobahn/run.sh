#!/usr/bin/env bash
# Runs the Autobahn WebSocket cases (with kosoku, the Autobahn fuzzingclient
# runner) against the echo app on the built-in server and under uvicorn.
#
#   tests/autobahn/run.sh            groups 1-7, 9, 10 (must pass) and 12-13
#                                    (compression: must be refused cleanly)
#   AUTOBAHN_CASES="1.* 5.*" tests/autobahn/run.sh    a subset
#   AUTOBAHN_SERVERS="builtin" ...   only some servers (builtin, uvicorn)
#
# Reports go to build/autobahn/<server>/. Every server and kosoku run is
# bounded by a timeout. Exits 1 if any case does not pass.
set -uo pipefail
cd "$(dirname "$0")/../.."
REPO="$PWD"
PY="${PYTHON:-$REPO/.venv/bin/python}"
BIN="$(dirname "$PY")"
export PYTHONPATH="${MICRODOT_PYTHONPATH:-$REPO/python}"
CASES="${AUTOBAHN_CASES:-1.* 2.* 3.* 4.* 5.* 6.* 7.* 9.* 10.*}"
SERVERS="${AUTOBAHN_SERVERS:-builtin uvicorn}"
OUT="$REPO/build/autobahn"
status=0

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
    for _ in $(seq 100); do
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
    # kosoku exits 1 when a case is not OK; summary.py applies our criteria
    # shellcheck disable=SC2046
    timeout 600 "$BIN/kosoku" "127.0.0.1:$2" $(include_args "$3") -p 2 \
        -o "$4" > "$4.log" 2>&1
    if [ ! -f "$4/index.json" ]; then
        echo "  no report: see $4.log"; tail -5 "$4.log"; return 1
    fi
    "$PY" tests/autobahn/summary.py "$4" ${5:-}
}

for server in $SERVERS; do
    port=$(free_port)
    mkdir -p "$OUT"
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
        *) echo "unknown server $server"; exit 2 ;;
    esac
    pid=$!
    start=$SECONDS
    echo "== Autobahn cases on $server"
    if ! wait_port "$port"; then
        echo "  the server did not start"; cat "$OUT/$server-server.log"
        status=1; kill "$pid" 2>/dev/null; continue
    fi
    run_cases "$server" "$port" "$CASES" "$OUT/$server" || status=1
    if [ -z "${AUTOBAHN_CASES:-}" ]; then
        echo "  compression (12.*, 13.*), not supported:"
        run_cases "$server" "$port" "12.* 13.*" "$OUT/$server-compression" \
            --unsupported || status=1
    fi
    echo "  ($((SECONDS - start)) s)"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
exit $status
