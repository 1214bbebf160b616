#!/bin/bash
# A power cut mid-Z: the ASan build (built with its pause points) stops at a named step of
# the Z, the test SIGKILLs it there and starts it again.  Kill points: after the Z began
# (the terminal's end-of-day not yet asked), after the terminal answered (its totals kept,
# the Z not committed), after the Z committed (not yet shown, spooled or printed).  Each
# time the Z finishes on restart, or (committed) is spooled and printed then; in the end
# the Z numbers are 1, 2, 3 with no repeat and no gap, each shift is closed once with one shift document in the outbox and one audited Z, and the
# terminal's totals survive the crash.  Then a terminal that never answers: the Z goes on
# after shift.eod_timeout_ms with "terminal did not answer".
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
DEV=$DB.sim-terminal
PAUSE=$T_DIR/paused
q() { sqlite3 -cmd ".timeout 3000" "$DB" "$1"; }
# pause points exist only in the ASan build
TILL_TEST=${TILL_ASAN_BIN:-$TILL_ROOT/build/asan/till}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
ARGS="--set catalog.demo=yes --set staff.demo=yes --set staff.idle_lock_s=0 --set payment.sim.latency_ms=100"

start_till() { # start_till [PAUSE_POINT] [more args]
    local at=$1; shift
    rm -f "$PAUSE"
    t_tmux_start 100x34 "TILL_PAUSE_AT=$at TILL_PAUSE_FILE=$PAUSE exec $TILL_TEST $ARGS $*"
}
sign_on_manager() {
    t_wait_for "Staff id:" 30 > /dev/null || return 1
    t_keys 9 Enter
    t_wait_for "PIN for " 10 > /dev/null || return 1
    t_keys 9999 Enter
    t_wait_for "Signed on" 10 > /dev/null
}
# one card sale of Whole Milk (1,19), then (with x) an X report, then the Z with the
# drawer counted at COUNTED
sell_by_card_then_z() { # COUNTED [x]
    t_keys 4010433218190 Enter
    t_wait_for "Whole Milk 1L" 10 > /dev/null || return 1
    t_keys F5
    t_wait_for "F6: card" 10 > /dev/null || return 1
    t_keys F6
    t_wait_for "CHANGE DUE" 30 > /dev/null || return 1
    t_keys Enter
    t_wait_for "Empty sale" 10 > /dev/null || return 1
    if [ "${2:-}" = x ]; then
        t_keys F9
        t_wait_for "X report: the shift" 10 > /dev/null || return 1
        t_keys x
        t_wait_for "X REPORT  (read only, shift open)" 10 > /dev/null || return 1
        t_keys Enter
        t_wait_gone "X REPORT" 10 > /dev/null || return 1
    fi
    t_keys F9
    t_wait_for "Z report: count" 10 > /dev/null || return 1
    t_keys z
    t_wait_for "Cash counted:" 10 > /dev/null || return 1
    t_type_slowly "$1"
    t_keys Enter
}
# kill_at_pause POINT: waits (state, not time) until the till stopped there, then SIGKILL
kill_at_pause() {
    local n=0
    while [ "$n" -lt 600 ] && [ "$(cat "$PAUSE" 2>/dev/null)" != "$1" ]; do sleep 0.05; n=$((n + 1)); done
    [ "$(cat "$PAUSE" 2>/dev/null)" = "$1" ] || return 1
    kill -9 "$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_pid}')"
    t_wait_exit 10
}
z_list() { q "select group_concat(z_number, ',') from (select z_number from shifts where z_number is not null order by z_number)"; }
shift_docs() { q "select count(*) from outbox where kind = 'shift'"; }

# --- 1: killed after the terminal's end-of-day answered, before the Z committed ---
start_till z_before_commit
check "the manager signs on (the demo's shift 1 is open)" sign_on_manager
sell_by_card_then_z 101,19 x || fail "sale, X and Z (round 1)"
check "the till stops between the end-of-day and the Z's commit" kill_at_pause z_before_commit
check_eq "killed: shift 1 still open, its Z begun, the terminal's totals kept" "open|1|ok|119|1" \
    "$(q "select state, z_started_at > 0, eod_state, eod_total, eod_count from shifts where id = 1")"
check_eq "no Z number taken yet" "" "$(z_list)"
check_eq "no shift document yet" 0 "$(shift_docs)"
check_eq "the terminal closed its batch once" 1 "$(grep -c '^END_OF_DAY' "$DEV")"
start_till none
# ("... is now finished: Z 1" gives way to the printer's message)
check "on restart the Z finishes by itself, and is printed" t_wait_for "Z report 1 printed." 30
check_eq "shift 1 closed with Z 1" "closed|1|10119" "$(q "select state, z_number, counted_cash from shifts where id = 1")"
zr=$XDG_DATA_HOME/till/spool/z-report-000001.txt
check "the finished Z is spooled" test -f "$zr"
check "with the terminal's totals kept before the crash" grep -qE "^Terminal total +1 +1,19$" "$zr"
check "and no difference" grep -qE "^Card difference +0,00$" "$zr"
# the figures: sales, tenders, taxes, voids ... expected cash, as the X report before the
# crash had them (the Z adds counted cash, over/short and the terminal's totals below)
figures() { sed -n '/^==*$/,/^Expected cash/p' "$1"; }
xr=$(ls "$XDG_DATA_HOME"/till/spool/x-report-shift000001-*.txt 2>/dev/null | head -n 1)
check "the X report before the Z is spooled" test -n "$xr"
check "with its figures, sales to expected cash" bash -c "grep -qE '^Sales +1 +1,19$' '$xr' && [ \$(sed -n '/^==*$/,/^Expected cash/p' '$xr' | wc -l) -ge 10 ]"
check_eq "the Z finished after the crash has the same figures as that X" "$(figures "$xr")" "$(figures "$zr")"
check_eq "the terminal was not asked a second time" 1 "$(grep -c '^END_OF_DAY' "$DEV")"
t_keys Escape

# --- 2: killed after the Z began, before the terminal was asked ---
start_till z_begun
check "the manager signs on again (the demo opened shift 2)" sign_on_manager
check_eq "shift 2 is the open one" 2 "$(q "select id from shifts where state = 'open'")"
sell_by_card_then_z 101,19 || fail "sale and Z (round 2)"
check "the till stops right after the Z began" kill_at_pause z_begun
check_eq "killed: shift 2 open, Z begun, nothing from the terminal" "open|1|" \
    "$(q "select state, z_started_at > 0, coalesce(eod_state, '') from shifts where id = 2")"
start_till none
check "on restart the Z finishes" t_wait_for "Z report 2 printed." 30
zr=$XDG_DATA_HOME/till/spool/z-report-000002.txt
check "its report says the end-of-day was interrupted" grep -q "Card terminal end-of-day interrupted" "$zr"
check_eq "and the terminal's end-of-day is not run blind" 1 "$(grep -c '^END_OF_DAY' "$DEV")"
t_keys Escape

# --- 3: killed right after the Z committed, before it was shown ---
start_till z_committed
check "signs on for shift 3" sign_on_manager
sell_by_card_then_z 101,19 || fail "sale and Z (round 3)"
check "the till stops after the Z's commit" kill_at_pause z_committed
check_eq "the Z is committed: shift 3 closed with Z 3" "closed|3|ok" \
    "$(q "select state, z_number, eod_state from shifts where id = 3")"
check "killed before the Z was spooled" test ! -f "$XDG_DATA_HOME/till/spool/z-report-000003.txt"
start_till none
check "the restart has no Z to finish, but the committed Z 3 is printed" t_wait_for "Z report 3 printed." 30
zr=$XDG_DATA_HOME/till/spool/z-report-000003.txt
check "and spooled, as it committed" grep -q "Z REPORT  No. 3" "$zr"
check_eq "audited as caught up once" 1 "$(q "select count(*) from audit_log where event = 'z_report_recovered'")"
start_till none
check "the next restart" t_wait_for "Staff id:" 30
check "prints no Z again" sh -c "! tmux -L '$T_TMUX' capture-pane -p -t t | grep -q 'Z report . printed'"
check_eq "still one catch-up audited" 1 "$(q "select count(*) from audit_log where event = 'z_report_recovered'")"

check_eq "Z numbers 1, 2, 3: none repeated, none skipped" "1,2,3" "$(z_list)"
check_eq "the counter agrees" 3 "$(q "select value from meta where key = 'z_counter'")"
check_eq "each shift closed once" "1|closed 2|closed 3|closed" \
    "$(q "select id || '|' || state from shifts where id <= 3 order by id" | tr '\n' ' ' | sed 's/ $//')"
check_eq "exactly one shift document per Z" 3 "$(shift_docs)"
check_eq "for three different shifts" 3 "$(q "select count(distinct idempotency_key) from outbox where kind = 'shift'")"
check_eq "one audited Z each" 3 "$(q "select count(*) from audit_log where event = 'z_report'")"
check "the audit chain is whole" "$TILL_BIN" --verify-audit

# --- 4: a terminal that never answers: the Z does not wait for it ---
start_till none --set payment.sim.end_of_day=hang --set shift.eod_timeout_ms=1500
check "signs on for shift 4" sign_on_manager
sell_by_card_then_z 101,19 || fail "sale and Z (round 4)"
check "the Z says it waits for the terminal" t_wait_for "the payment terminal closes its day" 10
check "then closes without it" t_wait_for "Z REPORT  No. 4" 30
check "saying the terminal did not answer" grep -q "Card terminal did not answer" "$XDG_DATA_HOME/till/spool/z-report-000004.txt"
check_eq "shift 4 closed with Z 4" "closed|4|no_answer" "$(q "select state, z_number, eod_state from shifts where id = 4")"

# --- 5: a terminal without end-of-day ---
t_keys Enter
start_till none --set payment.sim.end_of_day=none
check "signs on for shift 5" sign_on_manager
t_keys F9
t_wait_for "Z report: count" 10 > /dev/null
t_keys z
t_wait_for "Cash counted:" 10 > /dev/null
t_type_slowly 100
t_keys Enter
check "the Z closes at once" t_wait_for "Z REPORT  No. 5" 30
check "saying the terminal has no end-of-day" grep -q "Card terminal has no end-of-day" "$XDG_DATA_HOME/till/spool/z-report-000005.txt"
check_eq "Z numbers 1 to 5" "1,2,3,4,5" "$(z_list)"
finish
