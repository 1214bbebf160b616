#!/bin/bash
# store.terminal_id changed (app/terminal_id.c): refused with a clear message while a sale
# or an audit row of the old id waits to be sent (the server's token speaks for one
# terminal, so they would be refused and audit sync would stay stuck); taken, audited
# terminal_id_changed, once nothing of the old id is queued.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
q() { sqlite3 -cmd ".timeout 3000" "$DB" "$1"; }
# a store server that is not there: sales stay queued
echo secret-token > "$T_DIR/token"; chmod 600 "$T_DIR/token"
NOSERVER="--set sync.url=http://127.0.0.1:9 --set sync.token_file=$T_DIR/token"

t_tmux_start 100x30 "$TILL_BIN $NOSERVER"
check "till starts as T1" t_wait_for "Empty sale"
t_keys 4010433218190 Enter
check "an item" t_wait_for "TOTAL 1,19 €"
t_keys F5
t_wait_for "F6: card" > /dev/null
t_type_slowly "2,00"
t_keys Enter
check "a cash sale" t_wait_for "CHANGE DUE: 0,81 €"
t_keys Enter F10
check "till quits" t_wait_exit 10
check "the sale waits to be sent" test "$(q "select count(*) from outbox where state = 'pending'")" -gt 0

t_tmux_start 100x30 "$TILL_BIN $NOSERVER --set store.terminal_id=T2"
check "T2 is refused while T1's documents wait" t_wait_for "the server would refuse them from T2"
check "saying how to go on" t_wait_for "Set store.terminal_id back to T1"
check "the till did not start" t_wait_exit 10
check_eq "the database still belongs to T1" T1 "$(q "select value from meta where key = 'store.terminal_id'")"
check_eq "nothing audited under T2" 0 "$(q "select count(*) from audit_log where terminal_id = 'T2'")"

# the queue emptied (as a sync would), and no server any more: T2 is taken
q "update outbox set state = 'sent' where state = 'pending'"
t_tmux_start 100x30 "$TILL_BIN --set store.terminal_id=T2"
check "with nothing queued T2 starts" t_wait_for "Empty sale"
t_keys F10
check "till quits" t_wait_exit 10
check_eq "the database notes T2" T2 "$(q "select value from meta where key = 'store.terminal_id'")"
check_eq "the change is audited once, under T2" "1|T2|from T1 to T2 (nothing queued)" \
    "$(q "select count(*), terminal_id, detail from audit_log where event = 'terminal_id_changed'")"
check "the audit chain is whole" "$TILL_BIN" --verify-audit
finish
