# Shared by the sync end-to-end tests: the reference server on a loopback port.
SERVER_BIN=${SERVER_BIN:-$TILL_ROOT/build/till-server}

# The set-up every sync test shares: a test directory, the till's database ($DB, q for
# queries), a reference server database with the demo catalog and a token ($SDB, sq), a
# free port for it ($PORT) and its faults file ($FAULTS, empty: no faults).
sync_test_setup() {
    t_tmpdir
    export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
    DB=$XDG_DATA_HOME/till/till.db
    SDB=$T_DIR/server.db
    PORT=$(free_port)
    FAULTS=$T_DIR/faults
    : > "$FAULTS"
    server_init "$SDB"
}
q() { sqlite3 "$DB" "$1"; }

# A loopback port nothing listens on (the server may be started on it later), below the
# kernel's ephemeral range: there a client could rarely connect to itself.
free_port() {
    while :; do
        p=$(( 20000 + (RANDOM * 7 + $$) % 10000 ))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}
# server_init DB: demo catalog and a token for T1 in $T_DIR/token (mode 600)
server_init() {
    "$SERVER_BIN" --db "$1" import "$TILL_ROOT/assets/demo-catalog.csv" > /dev/null &&
    (umask 077 && "$SERVER_BIN" --db "$1" token create T1 > "$T_DIR/token")
}
# server_start DB PORT [FAULTS_FILE]
server_start() {
    : > "$T_DIR/server.out"
    "$SERVER_BIN" --db "$1" serve --port "$2" ${3:+--faults-file "$3"} > "$T_DIR/server.out" 2>> "$T_DIR/server.log" &
    SERVER_PID=$!
    T_PIDS="$T_PIDS $SERVER_PID"
    for _ in $(seq 100); do
        grep -q listening "$T_DIR/server.out" && return 0
        sleep 0.05
    done
    return 1
}
server_stop() { [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }
sq() { sqlite3 -cmd ".timeout 3000" "$SDB" "$1"; }
# set_faults FILE SPEC: the server re-reads the file when its mtime changes
set_faults() { echo "$2" > "$1.tmp"; touch -d "@$(( $(date +%s) + ${FAULT_BUMP:=1} ))" "$1.tmp"; FAULT_BUMP=$((FAULT_BUMP + 1)); mv "$1.tmp" "$1"; }
# one cash sale of one item, exact amount, then back to an empty sale
sell_one() {
    t_keys 4010433218190 Enter
    t_wait_for "Whole Milk 1L" 5 > /dev/null || return 1
    t_keys F5
    t_wait_for "F6: card" 5 > /dev/null || return 1
    t_keys Enter
    t_wait_for "CHANGE DUE" 5 > /dev/null || return 1
    t_keys Enter
    t_wait_for "Empty sale" 5 > /dev/null
}
