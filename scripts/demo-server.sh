#!/bin/sh
# The demo store server for `make run`: the reference server (build/till-server) on
# loopback with the demo catalog.  Stop it to watch Till sell offline; start it again to
# watch the queue drain:
#     sh scripts/demo-server.sh stop      sh scripts/demo-server.sh start
cd "$(dirname "$0")/.." || exit 1
DEMO=build/demo
PORT=${TILL_DEMO_PORT:-8417}
SDB=$DEMO/server.db
PIDF=$DEMO/server.pid
mkdir -p "$DEMO"

running() { [ -f "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }

case "${1:-start}" in
start)
    running && exit 0
    if [ ! -f "$SDB" ]; then
        build/till-server --db "$SDB" import assets/demo-catalog.csv > /dev/null || exit 1
    fi
    if [ ! -s "$DEMO/token" ]; then
        (umask 077 && build/till-server --db "$SDB" token create T1 > "$DEMO/token") || exit 1
    fi
    build/till-server --db "$SDB" serve --port "$PORT" >> "$DEMO/server.log" 2>&1 &
    echo $! > "$PIDF"
    for _ in $(seq 50); do
        grep -q "listening on 127.0.0.1:$PORT" "$DEMO/server.log" 2>/dev/null && exit 0
        running || break
        sleep 0.1
    done
    echo "demo-server: could not start on port $PORT (see $DEMO/server.log; another port: TILL_DEMO_PORT=N)" >&2
    exit 1 ;;
stop)
    running && kill "$(cat "$PIDF")" && echo "demo store server stopped"
    rm -f "$PIDF" ;;
status)
    if running; then echo "running on 127.0.0.1:$PORT (pid $(cat "$PIDF"))"; else echo "stopped"; fi ;;
*)
    echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
