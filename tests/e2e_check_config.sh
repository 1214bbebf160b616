#!/bin/bash
# --check-config as a new user runs it: the shipped example passes; a misspelt key in the
# file or in --set fails, naming the line or the flag and the key that was meant.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config

printf '[store]\nname = Corner Shop\nnmae = X\n[tax]\nstd = 19 Standard\n' > "$T_DIR/till.conf"
out=$("$TILL_BIN" --config "$T_DIR/till.conf" --check-config 2>&1); rc=$?
check_eq "a misspelt key in the file fails" 1 "$rc"
check_eq "the message names file, line and the meant key" \
    "till: $T_DIR/till.conf:3: unknown key 'store.nmae' (did you mean store.name?)" "$out"

out=$("$TILL_BIN" --check-config --set nosuch.key=1 2>&1); rc=$?
check_eq "an unknown --set key fails" 1 "$rc"
check "the message names the flag" grep -qF -- "till: --set nosuch.key=1: unknown key 'nosuch.key'" <<< "$out"

out=$("$TILL_BIN" --check-config --set payment.sim.scirpt=decline 2>&1); rc=$?
check_eq "a misspelt terminal key fails" 1 "$rc"
check "the terminal's key is suggested" grep -qF "did you mean payment.sim.script?" <<< "$out"
check "a refused config opened no database" test ! -e "$XDG_DATA_HOME/till/till.db"

out=$("$TILL_BIN" --config "$TILL_ROOT/assets/till.conf.example" --check-config 2>&1); rc=$?
check_eq "the example config passes" 0 "$rc"
check "it says ok" grep -q "configuration ok" <<< "$out"


out=$("$TILL_BIN" --check-config --set receipt.width=48 2>&1); rc=$?
check_eq "a known --set key passes" 0 "$rc"
finish
