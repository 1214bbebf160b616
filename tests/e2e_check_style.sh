#!/bin/bash
# `make check-style` keeps the layers: a header planted upward (the core including a
# driver, the platform including the app, a driver including offline/) fails the check,
# and so do a banned call, cJSON in the core and an include not written from the top; a
# library's header outside the files that own it (SQLite outside src/ and the outbox,
# curses outside ui/, curl outside offline/http.c, libusb outside the USB drivers) fails it
# too; and the compiler's warnings refuse a printf-style helper without its format
# attribute and a format that is not a literal.
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
plant app/park.c '#include <sqlite3.h>'
if style; then fail "SQLite in app/ is refused"; else
    check "SQLite in app/ is refused, naming file and rule" grep -q 'app/park.c:2:.*SQLite only in src/' "$T_DIR/out"; fi
plant offline/sync.c '#include <sqlite3.h>'
if style; then fail "SQLite in offline/ (but the outbox) is refused"; else pass "SQLite in offline/ (but the outbox) is refused"; fi
plant main/main.c '#include <curses.h>'
if style; then fail "curses in main/ is refused"; else
    check "curses in main/ is refused, naming the rule" grep -q 'main/main.c:2:.*curses only in ui/' "$T_DIR/out"; fi
plant app/kiosk.c '#include <ncursesw/curses.h>'
if style; then fail "curses in app/ is refused"; else pass "curses in app/ is refused"; fi
plant offline/sync.c '#include <curl/curl.h>'
if style; then fail "curl outside offline/http.c is refused"; else
    check "curl outside offline/http.c is refused, naming the rule" grep -q 'offline/sync.c:2:.*curl only in offline/http.c' "$T_DIR/out"; fi
plant drivers/printer.c '#include <libusb-1.0/libusb.h>'
if style; then fail "libusb outside the USB drivers is refused"; else
    check "libusb outside the USB drivers is refused, naming the rule" grep -q 'drivers/printer.c:2:.*libusb only in the USB drivers' "$T_DIR/out"; fi

# The Makefile's warnings: a printf-style helper needs its format attribute, and a format
# must be a literal (-Wformat=2 -Wmissing-format-attribute -Werror).
warn=$(cd "$TILL_ROOT" && make -s --no-print-directory TILL_DEPS_CHECKED=1 --eval 'print-warn: ; @echo $(WARN)' print-warn)
compiles() { # compiles FILE: 0 when FILE compiles with the Makefile's warnings
    ${CC:-cc} -std=c11 -D_GNU_SOURCE $warn -c "$1" -o "$T_DIR/planted.o" > "$T_DIR/cc.out" 2>&1
}
cat > "$T_DIR/helper.c" <<'C'
#include <stdarg.h>
#include <stdio.h>
void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void say(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}
C
check "a printf-style helper with its attribute compiles" compiles "$T_DIR/helper.c"
sed -i '/__attribute__/d' "$T_DIR/helper.c"
if compiles "$T_DIR/helper.c"; then fail "a printf-style helper without its format attribute is refused"; else
    check "a printf-style helper without its format attribute is refused" grep -q "format" "$T_DIR/cc.out"; fi
cat > "$T_DIR/nonliteral.c" <<'C'
#include <stdio.h>
void show(char *buf, size_t len, const char *fmt, const char *detail);
void show(char *buf, size_t len, const char *fmt, const char *detail)
{
    snprintf(buf, len, fmt, detail);
}
C
if compiles "$T_DIR/nonliteral.c"; then fail "a format that is not a literal is refused"; else
    check "a format that is not a literal is refused" grep -q "format-nonliteral" "$T_DIR/cc.out"; fi
finish
