#!/bin/sh
# `make run`: Till on the demo store (built-in config, demo catalog, simulated payment
# terminal, the demo staff with a shift open) connected to the reference store server on loopback, which is started in the
# background and stopped when Till exits.  All data lives in build/demo, so `make clean`
# starts the demo afresh.  TILL_STANDALONE=1 runs Till without a store server.
cd "$(dirname "$0")/.." || exit 1
# Till draws €, umlauts and box lines in UTF-8: a shell without a UTF-8 locale (a fresh
# box has no LANG) gets C.UTF-8 for the character set only, the language stays the caller's
if [ "$(locale charmap 2>/dev/null)" != UTF-8 ]; then
    if [ -n "${LC_ALL:-}" ]; then export LC_ALL=C.UTF-8; else export LC_CTYPE=C.UTF-8; fi
fi
DEMO=build/demo
PORT=${TILL_DEMO_PORT:-8417}
mkdir -p "$DEMO"
# TILL_VENDURE=1: Till on a local Vendure instead (README "Sync with Vendure"): the pinned
# test server is installed (once), started on 127.0.0.1:${TILL_VENDURE_PORT:-3000} unless
# one answers there already, seeded with five products; Till gets a session token and its
# own database in build/demo-vendure.
if [ -n "${TILL_VENDURE:-}" ]; then
    VDIR=build/demo-vendure VPORT=${TILL_VENDURE_PORT:-3000}
    API=http://127.0.0.1:$VPORT/admin-api
    sh scripts/vendure-install.sh || exit 1
    if ! curl -fsS -m 3 -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' "$API" > /dev/null 2>&1; then
        TILL_VENDURE_KEEP=1 sh scripts/vendure-server.sh "$VDIR" "$VPORT" 5 1 || exit 1
        trap 'kill $(cat "$VDIR/vendure.pid") 2>/dev/null' EXIT INT TERM
    fi
    mkdir -p "$VDIR"
    (umask 077 && curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
        -d '{"query":"mutation{login(username:\"till\",password:\"till-test-password\"){__typename}}"}' "$API" |
        sed -n 's/^vendure-auth-token: *//ip' | tr -d '\r' > "$VDIR/token") || exit 1
    build/till --set catalog.demo=no --set store.currency=USD --set store.money_style=us \
        --db "$VDIR/till.db" --spool "$VDIR/spool" \
        --set sync.backend=vendure --set sync.url="$API" --set sync.token_file="$VDIR/token" \
        --set "vendure.tax_classes=Standard Tax=std; Reduced Tax=red; Zero Tax=zero" \
        --set sync.pull_interval_ms=5000 --set sync.backoff_max_ms=10000 "$@"
    exit $?
fi
if [ -n "${TILL_STANDALONE:-}" ] || [ ! -x build/till-server ]; then
    exec build/till --set catalog.demo=yes --set staff.demo=yes --db "$DEMO/till.db" --spool "$DEMO/spool" "$@"
fi
sh scripts/demo-server.sh start || exit 1
trap 'sh scripts/demo-server.sh stop > /dev/null' EXIT INT TERM
build/till --set catalog.demo=yes --set staff.demo=yes --db "$DEMO/till.db" --spool "$DEMO/spool" \
    --set sync.url="http://127.0.0.1:$PORT" --set sync.token_file="$DEMO/token" \
    --set sync.pull_interval_ms=5000 --set sync.backoff_max_ms=10000 "$@"
