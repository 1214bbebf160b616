# Till — terminal point of sale.  `make run` and `make test` do all the setup.
#
# Every public target first makes sure the Debian packages are there
# (scripts/install-deps.sh), then re-enters make with TILL_DEPS_CHECKED=1 so that
# pkg-config flags are read after the install, not before.

ifndef TILL_DEPS_CHECKED
GOALS := $(filter-out clean,$(or $(MAKECMDGOALS),all))
.PHONY: $(GOALS) clean deps
$(GOALS): deps
	@$(MAKE) --no-print-directory TILL_DEPS_CHECKED=1 $@
deps:
	@sh scripts/install-deps.sh
clean:
	rm -rf build
else

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
FUZZCC  ?= clang

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
BASEFLAGS = -std=c11 -D_GNU_SOURCE -Isrc -I. -Ibuild/gen $(WARN) -MMD -MP
OPT      ?= -O2 -g
SANFLAGS  = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Libraries per target: the app, the reference server, the tests.
APP_PKGS    := ncursesw sqlite3 libcurl libcjson libusb-1.0 libsodium
SERVER_PKGS := libmicrohttpd sqlite3 libcjson libsodium
TEST_PKGS   := $(APP_PKGS) libmicrohttpd cmocka
APP_CFLAGS  := $(shell pkg-config --cflags $(APP_PKGS))
APP_LIBS    := $(shell pkg-config --libs $(APP_PKGS)) -lm
SERVER_CFLAGS := $(shell pkg-config --cflags $(SERVER_PKGS))
SERVER_LIBS := $(shell pkg-config --libs $(SERVER_PKGS)) -lm
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS) umockdev-1.0)
TEST_LIBS   := $(shell pkg-config --libs $(TEST_PKGS)) -lm

# Sources are discovered: a new file in src/ ui/ drivers/ offline/ joins libtill.a.
GEN_SRC   := build/gen/migrations.c build/gen/demo_catalog.c
LIB_SRC   := $(filter-out src/main.c,$(wildcard src/*.c ui/*.c drivers/*.c offline/*.c))
SERVER_SRC := $(wildcard server/*.c)
TEST_SRC  := $(wildcard tests/test_*.c)
FUZZ_SRC  := $(wildcard tests/fuzz_*.c)
BENCH_SRC := $(wildcard bench/*.c)

# The pure core: no I/O headers allowed (checked by `make check-style`).
CORE_PURE := src/money.c src/cart.c src/tax.c src/receipt.c src/barcode.c src/tender.c src/sale.c src/wedge.c

LIB_OBJ      := $(LIB_SRC:%.c=build/%.o) $(GEN_SRC:build/gen/%.c=build/gen/%.o)
ASAN_LIB_OBJ := $(LIB_SRC:%.c=build/asan/%.o) $(GEN_SRC:build/gen/%.c=build/asan/gen/%.o)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build/fuzz/%.o) $(GEN_SRC:build/gen/%.c=build/fuzz/gen/%.o)
TEST_BIN  := $(TEST_SRC:tests/%.c=build/asan/tests/%)
FUZZ_BIN  := $(FUZZ_SRC:tests/%.c=build/fuzz/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=build/bench/%)
SERVER_OBJ := $(SERVER_SRC:%.c=build/%.o)

SERVER_BIN := $(if $(SERVER_SRC),build/till-server)

all: build/till $(SERVER_BIN)

build/gen/migrations.c: scripts/embed.sh $(sort $(wildcard assets/migrations/*.sql))
	@mkdir -p $(@D)
	sh scripts/embed.sh store_migrations $(sort $(wildcard assets/migrations/*.sql)) > $@
build/gen/demo_catalog.c: scripts/embed.sh assets/demo-catalog.csv
	@mkdir -p $(@D)
	sh scripts/embed.sh demo_catalog_csv assets/demo-catalog.csv > $@

build/%.o: %.c | $(GEN_SRC)
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) $(OPT) $(APP_CFLAGS) $(SERVER_CFLAGS) -c $< -o $@
build/gen/%.o: build/gen/%.c
	@echo "  CC $@"; $(CC) $(BASEFLAGS) $(OPT) -c $< -o $@
build/asan/%.o: %.c | $(GEN_SRC)
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) $(SANFLAGS) $(APP_CFLAGS) $(TEST_CFLAGS) -c $< -o $@
build/asan/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) $(SANFLAGS) -c $< -o $@
build/fuzz/%.o: %.c | $(GEN_SRC)
	@mkdir -p $(@D)
	@echo "  FUZZCC $@"; $(FUZZCC) $(BASEFLAGS) -Wno-unused-command-line-argument -O1 -g -fsanitize=fuzzer-no-link,address,undefined $(APP_CFLAGS) -c $< -o $@
build/fuzz/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC $@"; $(FUZZCC) $(BASEFLAGS) -O1 -c $< -o $@

build/libtill.a: $(LIB_OBJ)
	@echo "  AR $@"; rm -f $@ && ar rcs $@ $^
build/asan/libtill.a: $(ASAN_LIB_OBJ)
	@echo "  AR $@"; rm -f $@ && ar rcs $@ $^
build/fuzz/libtill.a: $(FUZZ_LIB_OBJ)
	@echo "  AR $@"; rm -f $@ && ar rcs $@ $^

build/till: build/src/main.o build/libtill.a
	@echo "  CC $@"; $(CC) $(OPT) -o $@ $^ $(APP_LIBS)
build/asan/till: build/asan/src/main.o build/asan/libtill.a
	@echo "  CC $@"; $(CC) $(SANFLAGS) -o $@ $^ $(APP_LIBS)
build/till-server: $(SERVER_OBJ) build/libtill.a
	@echo "  CC $@"; $(CC) $(OPT) -o $@ $^ $(SERVER_LIBS) $(APP_LIBS)

# Tests: cmocka programs under ASan+UBSan. A test may add libraries with
# TEST_LDLIBS_<name> (e.g. umockdev's preload for the USB tests).
TEST_LDLIBS_test_scanner_usb = -Wl,--no-as-needed -lumockdev-preload -lumockdev -lgobject-2.0 -lglib-2.0 -Wl,--as-needed
build/asan/tests/%: tests/%.c build/asan/libtill.a
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) $(SANFLAGS) $(APP_CFLAGS) $(TEST_CFLAGS) -o $@ $< build/asan/libtill.a $(TEST_LIBS) $(TEST_LDLIBS_$*)

build/fuzz/tests/%: tests/%.c build/fuzz/libtill.a
	@mkdir -p $(@D)
	@echo "  FUZZCC $@"; $(FUZZCC) $(BASEFLAGS) -Wno-unused-command-line-argument -O1 -g -fsanitize=fuzzer,address,undefined $(APP_CFLAGS) -o $@ $< build/fuzz/libtill.a $(APP_LIBS)

build/bench/%: bench/%.c build/libtill.a
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) -O2 -g $(APP_CFLAGS) $(SERVER_CFLAGS) -o $@ $< build/libtill.a $(APP_LIBS) $(SERVER_LIBS) -lutil

# The ZVT terminal simulator, for tests that drive the real till against it.
build/zvt-sim: tests/zvt_sim.c
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) -O1 -g -DZVT_SIM_MAIN -Wno-missing-prototypes -o $@ $<

test: build/till $(SERVER_BIN) build/asan/till build/zvt-sim $(TEST_BIN) $(FUZZ_BIN) check-style
	@sh tests/run.sh

# A longer fuzz run of every target (FUZZ_SECONDS each).
FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do echo "== $$f"; mkdir -p build/fuzz/corpus/$$(basename $$f); \
	  $$f -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus/$$(basename $$f) || exit 1; done

bench: build/till $(SERVER_BIN) $(BENCH_BIN)
	@sh bench/run.sh

run: build/till $(SERVER_BIN)
	@sh scripts/run-demo.sh

check-style:
	@bad=$$(grep -nE '\b(sprintf|strcpy|strcat|strtok|atoi|gets)\s*\(' src/*.c ui/*.c drivers/*.c offline/*.c server/*.c 2>/dev/null); \
	 if [ -n "$$bad" ]; then echo "banned calls:"; echo "$$bad"; exit 1; fi
	@bad=$$(grep -nE '#include <(curses|ncurses|curl/|libusb|sqlite3|unistd|poll|fcntl|sys/)|\b(fopen|printf|fprintf|fwrite|puts|time|clock_gettime|gettimeofday|getenv)\s*\(' $(wildcard $(CORE_PURE)) /dev/null); \
	 if [ -n "$$bad" ]; then echo "I/O headers in the pure core:"; echo "$$bad"; exit 1; fi

install: build/till $(SERVER_BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/till
	install -m 755 build/till $(SERVER_BIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(wildcard assets/till.conf.example assets/store-api.yaml assets/*.rules assets/demo-catalog.csv) $(DESTDIR)$(PREFIX)/share/till/

.PHONY: all test fuzz bench run check-style install
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
endif
