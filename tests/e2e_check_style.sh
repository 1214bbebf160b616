#!/bin/bash
# `make check-style` keeps the layers: a header planted upward (the core including a
# driver, the platform including the app, a driver including offline/) fails the check,
# and so do a banned call, cJSON in the core and an include not written from the top.
. "$(dirname "$0")/lib.sh"
t_tmpdir
copy_tree() {
    rm -rf "$T_DIR/tree" && mkdir -p "$T_DIR/tree/build" &&
    (cd "$TILL_ROOT" && tar cf - scripts core src drivers offline app ui main server) | (cd "$T_DIR/tree" && tar xf -)
}
style() { sh "$T_DIR/tree/scripts/check-style.sh" > "$T_DIR/out" 2>&1; }

copy_tree
check "the tree as it is passes" style

plant() { # plant FILE LINE: adds LINE after the first line of FILE in a fresh copy
    copy_tree && sed -i "1a $2" "$T_DIR/tree/$1"
}
plant core/money.c '#include "drivers/scanner.h"'
if style; then fail "core including drivers/ is refused"; else
    check "core including drivers/ is refused, naming file and rule" grep -q 'core/money.c:2: core/ may not include "drivers/scanner.h"' "$T_DIR/out"; fi
plant src/store.h '#include "app/app.h"'
if style; then fail "the platform including the app is refused"; else pass "the platform including the app is refused"; fi
plant drivers/drawer_sim.c '#include "offline/sync.h"'
if style; then fail "a driver including offline/ is refused"; else pass "a driver including offline/ is refused"; fi
plant app/app.c '#include "ui/ui.h"'
if style; then fail "the app including ui/ is refused"; else pass "the app including ui/ is refused"; fi
plant server/orders.c '#include "core/money.h"'
if style; then fail "the server including the till's code is refused"; else pass "the server including the till's code is refused"; fi
plant core/cart.c '#include <cjson/cJSON.h>'
if style; then fail "cJSON in the core is refused"; else pass "cJSON in the core is refused"; fi
plant ui/draw.c '#include "screen.h"'
if style; then fail "an include not written from the top is refused"; else pass "an include not written from the top is refused"; fi
plant offline/sync.c 'static void f(char *b) { sprintf(b, "x"); }'
if style; then fail "a banned call is refused"; else check "a banned call is refused" grep -q "banned calls" "$T_DIR/out"; fi
finish
