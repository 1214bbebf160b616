#!/bin/bash
# Parked (refused) sync rows are dismissed once a manager dealt with them: at the CLI
# (till --sync-rejects --dismiss ID) and with R in the manager menu, both through the
# command door (sync-reject-dismiss), closed and audited together.  (That --salvage keeps
# them: test_store's test_salvage_keeps_sync_rejects.)
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
q() { sqlite3 -cmd ".timeout 3000" "$DB" "$1"; }
ARGS="--set staff.demo=yes --set staff.idle_lock_s=0"

t_tmux_start 100x34 "$TILL_BIN $ARGS"                # creates the database
check "till starts" t_wait_for "Staff id:" 20
t_keys F10
check "and quits" t_wait_exit 10
# two rows the sync refused (as offline/sync_rows.c parks them)
q "insert into sync_rejects (feed, seq, item_key, reason, raw, refused_at) values
   ('catalog', 7, 'SKU1', 'barcode 4010433218191: wrong check digit', '{}', 100),
   ('staff', 3, '42', 'unknown role boss', '{}', 101)"
check "till --sync-rejects lists both" sh -c "'$TILL_BIN' $ARGS --sync-rejects | grep -q 'wrong check digit'"

"$TILL_BIN" $ARGS --sync-rejects --dismiss 99 > "$T_DIR/out" 2>&1
check_eq "an unknown id is refused" 1 "$?"
check "saying so" grep -q "No open refused row 99" "$T_DIR/out"
"$TILL_BIN" $ARGS --dismiss 1 > "$T_DIR/out" 2>&1
check_eq "--dismiss without --sync-rejects is a usage error" 2 "$?"

"$TILL_BIN" $ARGS --sync-rejects --dismiss 1 > "$T_DIR/out" 2>&1
check_eq "row 1 dismissed" 0 "$?"
check "saying which" grep -q "Refused row 1 (catalog SKU1) dismissed" "$T_DIR/out"
check_eq "it is closed" 1 "$(q "select count(*) from sync_rejects where id = 1 and superseded_at is not null")"
check_eq "and audited" 1 "$(q "select count(*) from audit_log where event = 'sync_reject_dismissed' and detail like 'row 1 catalog SKU1:%'")"
check "the list no longer shows it" sh -c "! '$TILL_BIN' $ARGS --sync-rejects | grep -q 'wrong check digit'"
"$TILL_BIN" $ARGS --sync-rejects --dismiss 1 > "$T_DIR/out" 2>&1
check_eq "dismissing it again is refused" 1 "$?"

# the manager menu: R dismisses the newest open one, as the signed-on manager
# wide enough for the manager menu's whole footer (narrower, it ends in " …" and F1 lists the rest)
t_tmux_start 200x34 "$TILL_BIN $ARGS"
check "sign-on" t_wait_for "Staff id:" 20
t_keys 9 Enter
t_wait_for "PIN for 9:" > /dev/null
t_keys 9999 Enter
check "the manager signs on" t_wait_for "Signed on" 10
t_keys F9
check "the menu offers R" t_wait_for "Dismiss refused"
t_keys r
check "R dismisses row 2" t_wait_for "Refused row 2 (staff 42) dismissed"
check_eq "audited with the manager's id" "9" "$(q "select cashier from audit_log where event = 'sync_reject_dismissed' and detail like 'row 2 %'")"
check_eq "no open rows left" 0 "$(q "select count(*) from sync_rejects where superseded_at is null")"
t_keys r
check "R again: none left" t_wait_for "No refused sync rows are open"
t_keys Escape
check "the audit chain is whole" "$TILL_BIN" $ARGS --verify-audit
finish
