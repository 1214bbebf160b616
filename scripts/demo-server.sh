#!/bin/sh
# The demo store server for `make run`: the reference server (build/till-server) on
# loopback with the demo catalog.  Stop it to watch Till sell offline; start it again to
# watch the queue drain:
#     sh scripts/demo-server.sh stop      sh scripts/demo-server.sh start
# TILL_DEMO_PORT (default 8417) and TILL_DEMO_DIR (default build/demo) move it.
cd "$(dirname "$0")/.." || exit 1
DEMO=${TILL_DEMO_DIR:-build/demo}
PORT=${TILL_DEMO_PORT:-8417}
SDB=$DEMO/server.db
PIDF=$DEMO/server.pid
LOG=$DEMO/server.log
mkdir -p "$DEMO"

# Our server runs: the pid in the file is alive and is a till-server (not a reused pid).
running() {
    [ -f "$PIDF" ] || return 1
    pid=$(cat "$PIDF")
    kill -0 "$pid" 2>/dev/null || return 1
    [ ! -r "/proc/$pid/cmdline" ] || tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q till-server
}

case "${1:-start}" in
start)
    if running; then echo "demo store server already running on 127.0.0.1:$PORT (pid $(cat "$PIDF"))"; exit 0; fi
    rm -f "$PIDF"
    if [ ! -f "$SDB" ]; then
        build/till-server --db "$SDB" import assets/demo-catalog.csv > /dev/null || exit 1
        # the demo's staff, as the till knows them (README, "Staff and shifts")
        echo 1111 | build/till-server --db "$SDB" staff add 1 Alex cashier || exit 1
        echo 2222 | build/till-server --db "$SDB" staff add 2 Sam supervisor || exit 1
        echo 9999 | build/till-server --db "$SDB" staff add 9 Max manager || exit 1
    fi
    if [ ! -s "$DEMO/token" ]; then
        (umask 077 && build/till-server --db "$SDB" token create T1 > "$DEMO/token") || exit 1
    fi
    # The log is appended to across starts: only what this start wrote counts, so an old
    # "listening" line can never pass for this server.
    from=$(( $( { wc -c < "$LOG"; } 2>/dev/null || echo 0) + 1 ))
    build/till-server --db "$SDB" serve --port "$PORT" >> "$LOG" 2>&1 &
    pid=$!
    fresh() { tail -c +"$from" "$LOG" 2>/dev/null; }
    # generous: a busy machine can take seconds to start a process
    for _ in $(seq 200); do
        kill -0 "$pid" 2>/dev/null || break
        if fresh | grep -q "listening on 127.0.0.1:$PORT"; then
            echo "$pid" > "$PIDF"
            echo "demo store server listening on 127.0.0.1:$PORT (pid $pid)"
            exit 0
        fi
        sleep 0.05
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if fresh | grep -qi "cannot listen\|address already in use"; then
        echo "demo-server: port $PORT is taken by another program; stop it, or use another port: TILL_DEMO_PORT=N make run" >&2
    else
        echo "demo-server: the store server did not start on port $PORT:" >&2
        fresh | tail -n 5 >&2
    fi
    exit 1 ;;
stop)
    running && kill "$(cat "$PIDF")" && echo "demo store server stopped"
    rm -f "$PIDF" ;;
status)
    if running; then echo "running on 127.0.0.1:$PORT (pid $(cat "$PIDF"))"; else echo "stopped"; fi ;;
*)
    echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
