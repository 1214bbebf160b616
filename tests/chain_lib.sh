# Shared by tests/e2e_chain.sh and bench/load_chain.sh: a PostgreSQL cluster of the test's
# own (tests/pg_cluster.sh), till-server processes on it, HAProxy in front of them.
# Needs lib.sh's T_DIR and free_port from sync_lib.sh.

# chain_pg_start: starts the cluster; sets PG_DIR, PG_BASE (postgresql://till@127.0.0.1:PORT)
# and PG_URL (its database "store", created here).  Returns 77 without PostgreSQL.
chain_pg_start() {
    local out rc
    out=$(bash "$TILL_ROOT/tests/pg_cluster.sh" start); rc=$?
    [ "$rc" -eq 0 ] || return "$rc"
    PG_DIR=$(head -n 1 <<< "$out"); PG_BASE=$(tail -n 1 <<< "$out"); PG_URL=$PG_BASE/store
    psql -X -q -d "$PG_BASE/postgres" -c "CREATE DATABASE store" || return 1
}
chain_pg_stop() { [ -n "${PG_DIR:-}" ] && bash "$TILL_ROOT/tests/pg_cluster.sh" stop "$PG_DIR"; PG_DIR=; }
pq() { psql -X -q -tA -d "$PG_URL" -c "$1"; }

# chain_server_start N DB PORT [ARGS...]: till-server process N (its pid in SRV_PID[N])
chain_server_start() {
    local n=$1 db=$2 port=$3; shift 3
    : > "$T_DIR/server$n.out"
    "$SERVER_BIN" --db "$db" --snapshot-dir "$T_DIR/snapshots" serve --port "$port" "$@" \
        > "$T_DIR/server$n.out" 2>> "$T_DIR/server$n.log" &
    SRV_PID[$n]=$!
    T_PIDS="$T_PIDS ${SRV_PID[$n]}"
    for _ in $(seq 400); do
        grep -q listening "$T_DIR/server$n.out" && return 0
        kill -0 "${SRV_PID[$n]}" 2>/dev/null || break
        sleep 0.05
    done
    echo "--- server $n did not start:"; tail -n 5 "$T_DIR/server$n.log"
    return 1
}

# chain_haproxy_start PORT SERVER_PORT...: round robin with health checks on /v1/health;
# a refused connection is tried on the next process (the tills retry everything else).
chain_haproxy_start() {
    local port=$1; shift
    {
        echo "global"
        echo "    maxconn ${CHAIN_HAPROXY_MAXCONN:-4000}"
        echo "defaults"
        echo "    mode http"
        echo "    timeout connect 2s"
        echo "    timeout client 60s"
        echo "    timeout server 60s"
        echo "    timeout queue 60s"
        echo "    retries 3"
        echo "    option redispatch 1"
        echo "frontend tills"
        echo "    bind 127.0.0.1:$port"
        echo "    default_backend servers"
        echo "backend servers"
        echo "    balance roundrobin"
        echo "    option httpchk GET /v1/health"
        echo "    http-check expect status 200"
        echo "    default-server inter 200ms fall 2 rise 1 maxconn ${CHAIN_MAXCONN:-64}"
        local i=0
        for p in "$@"; do i=$((i + 1)); echo "    server s$i 127.0.0.1:$p check"; done
    } > "$T_DIR/haproxy.cfg"
    haproxy -f "$T_DIR/haproxy.cfg" -db > "$T_DIR/haproxy.log" 2>&1 &
    HAPROXY_PID=$!
    T_PIDS="$T_PIDS $HAPROXY_PID"
    for _ in $(seq 200); do
        curl -sf "http://127.0.0.1:$port/v1/health" > /dev/null && return 0
        sleep 0.05
    done
    echo "--- haproxy did not answer:"; cat "$T_DIR/haproxy.log"
    return 1
}

# chain_tokens DB PREFIX N FILE: tokens for PREFIX1..PREFIXN, "TERMINAL TOKEN" lines
chain_tokens() {
    local i
    for i in $(seq "$3"); do echo "$2$i $("$SERVER_BIN" --db "$1" token create "$2$i")" || return 1; done > "$4"
}
