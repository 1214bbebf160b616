#!/bin/bash
# Esc answers at once (ui/ui.c: ESCDELAY 0, so curses never waits inside the key callback),
# and function keys and arrows still work over a slow link: tests/slow_link.py delays every
# chunk the terminal writes by 150 ms, whole, as ssh over a long line does.  The figure
# printed is the median of Esc-to-screen over plain tmux (a figure, not a pass condition).
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config

esc_closes_search() { # opens the search, types, then Esc closes it; ms on stdout
    t_keys F4
    t_wait_for "Search product" > /dev/null || return 1
    t_type_slowly cola
    t_wait_for "Cola 1.5L" > /dev/null || return 1
    t0=$(date +%s%N)
    t_keys Escape
    t_wait_gone "Search product" > /dev/null || return 1
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

t_tmux_start 100x30 "$TILL_BIN"
check "till starts" t_wait_for "Empty sale"
times=""
for i in 1 2 3 4 5; do
    ms=$(esc_closes_search) || { fail "Esc closes the search (round $i)"; break; }
    times="$times $ms"
done
check "Esc closes the search, five times" test "$(echo $times | wc -w)" = 5
echo "Esc to screen (ms, tmux polling at 50 ms):$times; median $(echo $times | tr ' ' '\n' | sort -n | sed -n 3p)"
t_keys 4010433218190 Enter
check "an item in the sale" t_wait_for "Whole Milk 1L"
t_keys F5
check "F5 opens the payment" t_wait_for "F6: card"
t_keys Escape
check "Esc closes the payment too" t_wait_gone "F6: card"

# Over a slow link: the keys' sequences arrive late, but whole.  A fresh database: the
# open sale above is not restored into this run.
export XDG_DATA_HOME=$T_DIR/data2
t_tmux_start 100x30 "python3 $TILL_ROOT/tests/slow_link.py 150 $TILL_BIN"
check "till starts behind the slow link" t_wait_for "Empty sale"
t_keys 4010433218190 Enter
check "a scan arrives" t_wait_for "Whole Milk 1L"
t_keys F4
check "F4 (an escape sequence) opens the search over the slow link" t_wait_for "Search product"
t_type_slowly cola
check "the search finds" t_wait_for "Cola 1.5L"
t_keys Down
t_keys Escape
check "Down then Esc: the search closes, no stray text" t_wait_gone "Search product"
check "nothing typed into the sale's input from the arrow's tail" sh -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q '\[B'"
t_keys F5
check "F5 opens the payment over the slow link" t_wait_for "F6: card"
t_keys Escape
check "Esc closes it" t_wait_gone "F6: card"
t_keys F8
check "F8 asks to cancel the sale" t_wait_for "Cancel the whole sale?"
t_keys y
check "the sale is cancelled" t_wait_for "Empty sale"
finish
