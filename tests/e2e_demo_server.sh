#!/bin/bash
# scripts/demo-server.sh start checks the server it started: a taken port is a failure
# that says so, even when an old "listening" line is in the log; a free port starts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
t_tmpdir
export TILL_DEMO_DIR=$T_DIR/demo TILL_DEMO_PORT
TILL_DEMO_PORT=$(free_port)
demo() { sh "$TILL_ROOT/scripts/demo-server.sh" "$@"; }

# Another program holds the port (a second reference server on its own database).
server_init "$T_DIR/other.db"
server_start "$T_DIR/other.db" "$TILL_DEMO_PORT" || fail "the occupying server did not start"
# a stale line from an earlier run, as the old script grepped
mkdir -p "$TILL_DEMO_DIR"
echo "listening on 127.0.0.1:$TILL_DEMO_PORT" > "$TILL_DEMO_DIR/server.log"

out=$(demo start 2>&1); rc=$?
check_eq "start on a taken port fails" 1 "$rc"
check "the failure says the port is taken" grep -q "port $TILL_DEMO_PORT is taken" <<< "$out"
check "no pid file is left behind" test ! -e "$TILL_DEMO_DIR/server.pid"
check_eq "status says stopped" stopped "$(demo status)"
check "the occupant still runs" kill -0 "$SERVER_PID"

server_stop
out=$(demo start 2>&1); rc=$?
check_eq "start on a free port succeeds" 0 "$rc"
check "it says where it listens" grep -q "listening on 127.0.0.1:$TILL_DEMO_PORT" <<< "$out"
pid=$(cat "$TILL_DEMO_DIR/server.pid" 2>/dev/null)
[ -n "$pid" ] && T_PIDS="$T_PIDS $pid"
check "its pid is alive" kill -0 "$pid"
check "it answers on the port" bash -c "exec 3<>/dev/tcp/127.0.0.1/$TILL_DEMO_PORT"
check "a second start finds it running" grep -q "already running" <<< "$(demo start)"
check "stop stops it" grep -q "stopped" <<< "$(demo stop)"
gone=1
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || { gone=0; break; }; sleep 0.05; done
check_eq "the process is gone" 0 "$gone"
finish
