#!/bin/sh
# Starts the Vendure test server (installed by scripts/vendure-install.sh) in the background
# on 127.0.0.1:PORT with its own SQLite database under DIR, and waits until its Admin API
# answers.  The seeded database of PRODUCTS products is made once and kept as a template
# under build/vendure, so later starts copy it instead of seeding again.
#   vendure-server.sh DIR PORT [PRODUCTS=5] [PLUGIN=1]
# Writes DIR/vendure.pid and DIR/vendure.log; stop it with  kill $(cat DIR/vendure.pid).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/node-env.sh"
node_env || exit $? # the Node that scripts/vendure-install.sh built the server with
vdir=${TILL_VENDURE_DIR:-$top/build/vendure}
dir=$1 port=$2 products=${3:-5} plugin=${4:-1}
[ -n "$dir" ] && [ -n "$port" ] || { echo "usage: $0 DIR PORT [PRODUCTS] [PLUGIN]" >&2; exit 1; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd) # the server runs in $vdir
export VENDURE_DISABLE_TELEMETRY=true NODE_ENV=production

template=$vdir/template-$products.sqlite
if [ ! -f "$template" ]; then
    echo "till: seeding a Vendure database with $products products (once)" >&2
    rm -f "$template.tmp" "$template.tmp-"*
    (cd "$vdir" && PORT=$port TILL_VENDURE_DB="$template.tmp" TILL_VENDURE_PRODUCTS=$products \
        TILL_VENDURE_SEED_ONLY=1 node dist/server.js) > "$dir/seed.log" 2>&1 ||
        { tail -n 30 "$dir/seed.log" >&2; exit 1; }
    mv "$template.tmp" "$template"
fi
# TILL_VENDURE_KEEP=1 keeps a database from an earlier start (the demo); tests start fresh
if [ "${TILL_VENDURE_KEEP:-}" != 1 ] || [ ! -f "$dir/vendure.sqlite" ]; then
    rm -f "$dir/vendure.sqlite"*
    cp "$template" "$dir/vendure.sqlite"
fi
(cd "$vdir" && PORT=$port TILL_VENDURE_DB="$dir/vendure.sqlite" TILL_PLUGIN=$plugin \
    exec node dist/server.js) > "$dir/vendure.log" 2>&1 &
echo $! > "$dir/vendure.pid"
i=0
while :; do
    if curl -fsS -m 5 -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' \
        "http://127.0.0.1:$port/admin-api" >/dev/null 2>&1; then
        exit 0
    fi
    if ! kill -0 "$(cat "$dir/vendure.pid")" 2>/dev/null; then
        echo "till: the Vendure server stopped:" >&2; tail -n 30 "$dir/vendure.log" >&2; exit 1
    fi
    i=$((i + 1))
    [ $i -lt 600 ] || { echo "till: Vendure did not answer within 120 s" >&2; exit 1; }
    sleep 0.2
done
