#!/bin/bash
# A PostgreSQL cluster of a test's own: `pg_cluster.sh start` prints the directory it made
# and the base URL (postgresql://till@127.0.0.1:PORT) on two lines; `pg_cluster.sh stop DIR`
# stops it and removes it; `pg_cluster.sh restart DIR` is `pg_ctl restart -m immediate`;
# `down DIR` and `up DIR` stop and start it again, keeping it.
# The cluster listens on loopback only, trusts its one user `till`, and lives in a
# directory of its own under /tmp (never under the clone, whose parents' modes we do not
# know). As root the server runs as `nobody`: PostgreSQL refuses to run as root.
# Exits 77 when PostgreSQL is not installed (the caller skips).
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] || exit 77

as_pg() { # runs "$@" as the cluster's owner
    if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi  # check-deps: not a command
}

case "$1" in
start)
    dir=$(mktemp -d /tmp/till-pg-XXXXXX) || exit 1
    chmod 0755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody "$dir"
    as_pg "$PGBIN/initdb" -D "$dir/data" -U till --auth=trust --locale=C.UTF-8 --encoding=UTF8 \
        > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync stays on: the tests kill servers and the database and count what survived.
    # Small shared memory: seven engineers share this box.
    cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = ${PG_MAX_CONNECTIONS:-200}
shared_buffers = 64MB
fsync = ${PG_FSYNC:-on}
synchronous_commit = ${PG_SYNCHRONOUS_COMMIT:-on}
log_min_messages = warning
CONF
    # A free port: try random ones until the server starts on one.
    for attempt in $(seq 1 20); do
        port=$((20000 + RANDOM % 30000))
        if as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start \
            > /dev/null 2>&1; then
            echo "$port" > "$dir/port"
            echo "$dir"
            echo "postgresql://till@127.0.0.1:$port"
            exit 0
        fi
    done
    cat "$dir/server.log" >&2
    exit 1
    ;;
restart)
    dir=$2
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $(cat "$dir/port")" -m immediate -w -t 60 \
        restart > /dev/null
    ;;
down)
    as_pg "$PGBIN/pg_ctl" -D "$2/data" -m fast -w -t 60 stop > /dev/null
    ;;
up)
    as_pg "$PGBIN/pg_ctl" -D "$2/data" -l "$2/server.log" -o "-p $(cat "$2/port")" -w -t 60 start > /dev/null
    ;;
stop)
    dir=$2
    case "$dir" in /tmp/till-pg-*) ;; *) echo "not a test cluster: $dir" >&2; exit 1 ;; esac
    [ -d "$dir/data" ] && as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop > /dev/null 2>&1
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start | stop DIR | restart DIR | down DIR | up DIR" >&2
    exit 2
    ;;
esac
