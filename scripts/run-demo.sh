#!/bin/sh
# `make run`: Till on the demo store (built-in config, demo catalog, simulated payment
# terminal, the demo staff with a shift open) connected to the reference store server on loopback, which is started in the
# background and stopped when Till exits.  All data lives in build/demo, so `make clean`
# starts the demo afresh.  TILL_STANDALONE=1 runs Till without a store server.
cd "$(dirname "$0")/.." || exit 1
DEMO=build/demo
PORT=${TILL_DEMO_PORT:-8417}
mkdir -p "$DEMO"
if [ -n "${TILL_STANDALONE:-}" ] || [ ! -x build/till-server ]; then
    exec build/till --set catalog.demo=yes --set staff.demo=yes --db "$DEMO/till.db" --spool "$DEMO/spool" "$@"
fi
sh scripts/demo-server.sh start || exit 1
trap 'sh scripts/demo-server.sh stop > /dev/null' EXIT INT TERM
build/till --set catalog.demo=yes --set staff.demo=yes --db "$DEMO/till.db" --spool "$DEMO/spool" \
    --set sync.url="http://127.0.0.1:$PORT" --set sync.token_file="$DEMO/token" \
    --set sync.pull_interval_ms=5000 --set sync.backoff_max_ms=10000 "$@"
