#!/bin/sh
# `make run`: Till on the demo store (built-in config, demo catalog, simulated payment
# terminal). Its data lives in build/demo so `make clean` starts the demo afresh.
cd "$(dirname "$0")/.." || exit 1
DEMO=build/demo
mkdir -p "$DEMO"
exec build/till --set catalog.demo=yes --db "$DEMO/till.db" --spool "$DEMO/spool" "$@"
