# Till — terminal point of sale.  `make run` and `make test` do all the setup.
#
# `run`, `test`, `bench` and `deps` first make sure the Debian packages are there
# (scripts/install-deps.sh), then re-enter make with TILL_DEPS_CHECKED=1 so that pkg-config
# flags are read after the install, not before.  `all` and `install` never run apt.

DEPS_GOALS := run test bench deps fuzz check-fresh
ifndef TILL_DEPS_CHECKED
ifneq ($(filter $(DEPS_GOALS),$(MAKECMDGOALS)),)
GOALS := $(filter-out clean deps,$(MAKECMDGOALS))
.PHONY: $(GOALS) clean deps
$(GOALS): deps
	@$(MAKE) --no-print-directory TILL_DEPS_CHECKED=1 $@
deps:
	@sh scripts/install-deps.sh
clean:
	rm -rf build
DEPS_DISPATCHED := 1
endif
endif

ifndef DEPS_DISPATCHED

VERSION := 0.1.0
PREFIX  ?= /usr/local
DESTDIR ?=
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/till
# udev reads packaged rules from its own directory, never from under /usr/local: the
# rule goes there whatever PREFIX is (/etc/udev/rules.d is the administrator's).
UDEVDIR ?= $(or $(shell pkg-config --variable=udevdir udev 2>/dev/null),/lib/udev)
CC      ?= cc
FUZZCC  ?= clang

# -Wformat=2: formats that are not literals are refused; -Wmissing-format-attribute: a
# printf-style helper without __attribute__((format(printf, ...))) is refused, so every call
# of it is checked like a printf.
WARN     = -Wall -Wextra -Werror -Wformat=2 -Wmissing-format-attribute -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
# One include style: every project header by its path from the top, "core/money.h".
BASEFLAGS = -std=c11 -D_GNU_SOURCE -I. -Ibuild/gen $(WARN) -MMD -MP -DTILL_VERSION='"$(VERSION)"'
OPT      ?= -O2 -g
SANFLAGS  = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -DTILL_TEST_HOOKS

pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkg_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

# The layers, bottom up; each folder compiles with the flags of the libraries it may use.
# The pure core uses none.
CFLAGS_core    :=
CFLAGS_src     := $(call pkg_cflags,sqlite3 libsodium)
CFLAGS_drivers := $(call pkg_cflags,libusb-1.0 libcrypto libcjson)
CFLAGS_offline := $(call pkg_cflags,sqlite3 libcurl libcjson libsodium libzstd)
CFLAGS_app     := $(call pkg_cflags,sqlite3 libsodium)
CFLAGS_ui      := $(call pkg_cflags,ncursesw)
CFLAGS_main    := $(call pkg_cflags,ncursesw)
CFLAGS_server  := $(call pkg_cflags,libmicrohttpd sqlite3 libcjson libsodium libzstd libpq)
# server/http.c's libmicrohttpd log callback (mhd_log) passes its va_list on without
# __attribute__((format(printf, 2, 0))) yet: exempt from the two format checks, that file only.
build/server/http.o build/asan/server/http.o build/fuzz/server/http.o: \
    CFLAGS_server += -Wno-missing-format-attribute -Wno-format-nonliteral
CFLAGS_gen     :=
APP_PKGS    := ncursesw sqlite3 libcurl libcjson libusb-1.0 libsodium libzstd libcrypto
APP_LIBS    := $(call pkg_libs,$(APP_PKGS)) -lm
SERVER_LIBS := $(call pkg_libs,libmicrohttpd sqlite3 libcjson libsodium libzstd libpq) -lm
TEST_CFLAGS := $(call pkg_cflags,$(APP_PKGS) libmicrohttpd cmocka umockdev-1.0)
TEST_LIBS   := $(call pkg_libs,$(APP_PKGS) libmicrohttpd cmocka) -lm
folder_cflags = $(CFLAGS_$(firstword $(subst /, ,$(1))))

# Sources are discovered: a new file in a layer's folder joins libtill.a.
LAYERS    := core src drivers offline app ui
GEN_SRC   := build/gen/migrations.c build/gen/catalog_schema.c build/gen/demo_catalog.c build/gen/gs1_ai.c \
             build/gen/gdpdu_dtd.c
LIB_SRC   := $(foreach d,$(LAYERS),$(wildcard $(d)/*.c))
MAIN_SRC  := $(wildcard main/*.c)
SERVER_SRC := $(wildcard server/*.c)
TEST_SRC  := $(wildcard tests/test_*.c)
FUZZ_SRC  := $(wildcard tests/fuzz_*.c)
BENCH_SRC := $(wildcard bench/*.c)

LIB_OBJ      := $(LIB_SRC:%.c=build/%.o) $(GEN_SRC:build/gen/%.c=build/gen/%.o)
ASAN_LIB_OBJ := $(LIB_SRC:%.c=build/asan/%.o) $(GEN_SRC:build/gen/%.c=build/asan/gen/%.o)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build/fuzz/%.o) $(GEN_SRC:build/gen/%.c=build/fuzz/gen/%.o)
TEST_BIN  := $(TEST_SRC:tests/%.c=build/asan/tests/%)
FUZZ_BIN  := $(FUZZ_SRC:tests/%.c=build/fuzz/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=build/bench/%)
# The server embeds the till's catalog schema (data, not code) to build snapshots with.
SERVER_OBJ := $(SERVER_SRC:%.c=build/%.o) build/gen/catalog_schema.o
ASAN_SERVER_OBJ := $(SERVER_SRC:%.c=build/asan/%.o) build/asan/gen/catalog_schema.o
# The server's parsers without its main(), for the fuzz targets tests/fuzz_server_*.c.
FUZZ_SERVER_OBJ := $(patsubst %.c,build/fuzz/%.o,$(filter-out server/main.c,$(SERVER_SRC))) build/fuzz/gen/catalog_schema.o

SERVER_BIN := $(if $(SERVER_SRC),build/till-server)
ASAN_SERVER_BIN := $(if $(SERVER_SRC),build/asan/till-server)

MAN_PAGES := build/till.1 $(if $(SERVER_SRC),build/till-server.1)

# The kiosk's languages: assets/po/LANG.po compiled into build/locale, where build/till
# finds them (src/i18n.c); `make pot` extracts the msgids from the sources that use _().
PO_FILES := $(wildcard assets/po/*.po)
MO_FILES := $(PO_FILES:assets/po/%.po=build/locale/%/LC_MESSAGES/till.mo)
I18N_SRC  = $(shell grep -l 'src/i18n.h' $(LIB_SRC) | sort)
XGETTEXT_FLAGS = --from-code=UTF-8 --language=C --add-comments=TRANSLATORS: --keyword=_ --keyword=N_ \
    --keyword=P_:1,2 --keyword='CAP_:1,"key cap: at most 16 columns"' --package-name=till \
    --package-version=$(VERSION) --no-wrap --sort-by-file --add-location=file

all: build/till $(SERVER_BIN) $(MAN_PAGES) build/escpos-view $(MO_FILES)

build/locale/%/LC_MESSAGES/till.mo: assets/po/%.po
	@mkdir -p $(@D)
	@echo "  MSGFMT $@"; msgfmt --check -o $@.tmp $< && mv $@.tmp $@
pot: build/po/till.pot
build/po/till.pot: $(LIB_SRC)
	@mkdir -p $(@D)
	@echo "  XGETTEXT $@"; xgettext $(XGETTEXT_FLAGS) -o $@ $(I18N_SRC)

# The man pages come from the same tables as --help (till) and from --help itself
# (till-server), so they cannot disagree with the programs.
# VERSION is compiled into these
$(MAIN_SRC:%.c=build/%.o) $(MAIN_SRC:%.c=build/asan/%.o) build/server/main.o build/asan/server/main.o: Makefile
build/till.1: build/till
	@echo "  MAN $@"; build/till --man > $@.tmp && mv $@.tmp $@
build/till-server.1: build/till-server scripts/help2man.sh
	@echo "  MAN $@"; sh scripts/help2man.sh build/till-server > $@.tmp && mv $@.tmp $@

build/gen/migrations.c: scripts/embed.sh $(sort $(wildcard assets/migrations/*.sql))
	@mkdir -p $(@D)
	sh scripts/embed.sh store_migrations $(sort $(wildcard assets/migrations/*.sql)) > $@
build/gen/catalog_schema.c: scripts/embed.sh assets/catalog-schema.sql
	@mkdir -p $(@D)
	sh scripts/embed.sh store_catalog_schema assets/catalog-schema.sql > $@
build/gen/demo_catalog.c: scripts/embed.sh assets/demo-catalog.csv
	@mkdir -p $(@D)
	sh scripts/embed.sh demo_catalog_csv assets/demo-catalog.csv > $@
# The GDPdU DTD that a DSFinV-K export's index.xml names, written beside it (app/dsfinvk_export.c).
build/gen/gdpdu_dtd.c: scripts/embed.sh assets/gdpdu-01-08-2002.dtd
	@mkdir -p $(@D)
	sh scripts/embed.sh dsfinvk_gdpdu_dtd assets/gdpdu-01-08-2002.dtd > $@
# Every GS1 Application Identifier, from the list in assets/ (its origin is noted there).
build/gen/gs1_ai.c: scripts/gen-gs1-ai.sh assets/gs1-ai.txt
	@mkdir -p $(@D)
	sh scripts/gen-gs1-ai.sh assets/gs1-ai.txt > $@.tmp && mv $@.tmp $@

build/gen/%.o: build/gen/%.c
	@echo "  CC $@"; $(CC) $(BASEFLAGS) $(OPT) -c $< -o $@
build/asan/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) $(SANFLAGS) -c $< -o $@
build/fuzz/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC $@"; $(FUZZCC) $(BASEFLAGS) -O1 -c $< -o $@
build/asan/%.o: %.c | $(GEN_SRC)
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) $(SANFLAGS) $(call folder_cflags,$<) -c $< -o $@
build/fuzz/%.o: %.c | $(GEN_SRC)
	@mkdir -p $(@D)
	@echo "  FUZZCC $@"; $(FUZZCC) $(BASEFLAGS) -Wno-unused-command-line-argument -O1 -g -fsanitize=fuzzer-no-link,address,undefined $(call folder_cflags,$<) -c $< -o $@
build/%.o: %.c | $(GEN_SRC)
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) $(OPT) $(call folder_cflags,$<) -c $< -o $@

build/libtill.a: $(LIB_OBJ)
	@echo "  AR $@"; rm -f $@ && ar rcs $@ $^
build/asan/libtill.a: $(ASAN_LIB_OBJ)
	@echo "  AR $@"; rm -f $@ && ar rcs $@ $^
build/fuzz/libtill.a: $(FUZZ_LIB_OBJ)
	@echo "  AR $@"; rm -f $@ && ar rcs $@ $^
build/fuzz/libtill-server.a: $(FUZZ_SERVER_OBJ)
	@echo "  AR $@"; rm -f $@ && ar rcs $@ $^

build/till: $(MAIN_SRC:%.c=build/%.o) build/libtill.a
	@echo "  CC $@"; $(CC) $(OPT) -o $@ $^ $(APP_LIBS)
build/asan/till: $(MAIN_SRC:%.c=build/asan/%.o) build/asan/libtill.a
	@echo "  CC $@"; $(CC) $(SANFLAGS) -o $@ $^ $(APP_LIBS)
# The server stands apart: its own objects and its own libraries only.
build/till-server: $(SERVER_OBJ)
	@echo "  CC $@"; $(CC) $(OPT) -o $@ $^ $(SERVER_LIBS)
# What tests/test_server.c drives: the same server under ASan+UBSan.
build/asan/till-server: $(ASAN_SERVER_OBJ)
	@echo "  CC $@"; $(CC) $(SANFLAGS) -o $@ $^ $(SERVER_LIBS)

# Tests: cmocka programs under ASan+UBSan. A test may add libraries with
# TEST_LDLIBS_<name> (e.g. umockdev's preload for the USB tests).
TEST_LDLIBS_test_scanner_usb = -Wl,--no-as-needed -lumockdev-preload -lumockdev -lgobject-2.0 -lglib-2.0 -Wl,--as-needed
TEST_LDLIBS_test_printer_usb = $(TEST_LDLIBS_test_scanner_usb)
build/asan/tests/%: tests/%.c build/asan/libtill.a
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) $(SANFLAGS) $(TEST_CFLAGS) -o $@ $< $(TEST_LDLIBS_$*) build/asan/libtill.a $(TEST_LIBS)

build/fuzz/tests/%: tests/%.c build/fuzz/libtill.a
	@mkdir -p $(@D)
	@echo "  FUZZCC $@"; $(FUZZCC) $(BASEFLAGS) -Wno-unused-command-line-argument -O1 -g -fsanitize=fuzzer,address,undefined $(TEST_CFLAGS) -o $@ $< build/fuzz/libtill.a $(APP_LIBS)
# The server's fuzz targets link the server's objects (the shorter stem wins over the rule above).
build/fuzz/tests/fuzz_server_%: tests/fuzz_server_%.c build/fuzz/libtill-server.a
	@mkdir -p $(@D)
	@echo "  FUZZCC $@"; $(FUZZCC) $(BASEFLAGS) -Wno-unused-command-line-argument -O1 -g -fsanitize=fuzzer,address,undefined $(CFLAGS_server) -o $@ $< build/fuzz/libtill-server.a $(SERVER_LIBS)

build/bench/%: bench/%.c build/libtill.a
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) -O2 -g $(TEST_CFLAGS) -o $@ $< build/libtill.a $(APP_LIBS) -lutil

# The ZVT terminal simulator, for tests that drive the real till against it.
build/zvt-sim: tests/zvt_sim.c
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) -O1 -g -DZVT_SIM_MAIN -Wno-missing-prototypes -o $@ $<

# The test printer (raw TCP with status and faults) and the ESC/POS viewer, which shows
# what the file printer (or the test printer) would have put on paper.
build/printer-sim: tests/printer_sim.c tests/printer_sim.h build/libtill.a
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) -O1 -g -DPRINTER_SIM_MAIN -Wno-missing-prototypes -o $@ $< build/libtill.a $(APP_LIBS)
build/escpos-view: tests/escpos_decode.c tests/escpos_decode.h
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) -O1 -g -DESCPOS_VIEW_MAIN -Wno-missing-prototypes -o $@ $<

# The receipt QR code's checker (tests/tse_verify.c): rebuilds the TSE's log message from a
# V0 QR text and verifies its signature with OpenSSL, as a tax auditor's tool does.
build/tse-verify: tests/tse_verify.c build/libtill.a
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) -O1 -g -DTSE_VERIFY_MAIN -Wno-missing-prototypes $(call pkg_cflags,libcrypto) -o $@ $< build/libtill.a $(APP_LIBS)

# The kill loop of tests/e2e_sync_kill.sh: the real till in a pty, SIGKILLed hundreds of times.
build/kill-loop: tests/kill_loop.c
	@mkdir -p $(@D)
	@echo "  CC $@"; $(CC) $(BASEFLAGS) -O1 -g -Wno-missing-prototypes -o $@ $< -lutil

# gen_sales fills the queue that tests/test_server.c's slow-client test drains with the real till;
# load_tills is the many-tills client of tests/e2e_load.sh (and bench/load200.sh).
test: build/till $(MO_FILES) $(SERVER_BIN) $(ASAN_SERVER_BIN) $(MAN_PAGES) build/asan/till build/zvt-sim build/printer-sim build/escpos-view build/kill-loop build/tse-verify \
      build/bench/gen_sales build/bench/load_tills $(TEST_BIN) $(FUZZ_BIN) check-style check-deps
	@bash tests/run.sh

# A longer fuzz run of every target (FUZZ_SECONDS each), from its shipped seeds
# (tests/fuzz-corpus/<target>/), with each target's coverage at the end.
FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do echo "== $$f"; bash tests/fuzz_run.sh $$f $(FUZZ_SECONDS) > build/fuzz/$$(basename $$f).out 2>&1; \
	  rc=$$?; grep '^COVERAGE:' build/fuzz/$$(basename $$f).out; [ $$rc -eq 0 ] || { tail -n 30 build/fuzz/$$(basename $$f).out; exit 1; }; done

bench: build/till $(SERVER_BIN) $(BENCH_BIN)
	@sh bench/run.sh

run: build/till $(SERVER_BIN) build/escpos-view
	@sh scripts/run-demo.sh

# Banned calls, the pure core's purity, and which folder may include which.
check-style:
	@sh scripts/check-style.sh

# Every command the tests, scripts and this Makefile run comes from a listed Debian package.
check-deps:
	@sh scripts/check-deps.sh

# `make test` on a minimal Debian 12 chroot with nothing but git, make and ca-certificates
# (tens of minutes; run it before landing anything that adds a dependency).
check-fresh:
	@bash scripts/check-fresh.sh

# Debian's places: programs in bin, man pages in share/man/man1, the example config in the
# package's doc examples, data in share/till, the udev rule in udev's rules directory.
install: build/till $(SERVER_BIN) $(MAN_PAGES) $(MO_FILES)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/till $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(UDEVDIR)/rules.d
	install -m 755 build/till $(SERVER_BIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 assets/till.conf.example assets/till-server@.service assets/haproxy-till.cfg $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 assets/60-till-scanner.rules assets/60-till-printer.rules assets/60-till-scale.rules $(DESTDIR)$(UDEVDIR)/rules.d/
	install -m 644 assets/store-api.yaml assets/demo-catalog.csv $(DESTDIR)$(PREFIX)/share/till/
	for mo in $(MO_FILES); do lang=$${mo#build/locale/}; lang=$${lang%%/*}; \
	    install -d $(DESTDIR)$(PREFIX)/share/locale/$$lang/LC_MESSAGES && \
	    install -m 644 $$mo $(DESTDIR)$(PREFIX)/share/locale/$$lang/LC_MESSAGES/till.mo || exit 1; done

# The Debian packages till and till-server (debian/), built from a copy of this tree by
# dpkg-buildpackage -us -uc -b; the .deb files land in build/deb/.
deb:
	@sh scripts/build-deb.sh . build/deb

clean:
	rm -rf build

.PHONY: all test fuzz bench run check-style check-deps check-fresh install clean pot deb
.SECONDARY:

# (not from build/deb: the package build's own tree, whose debian/ has rules.d folders)
-include $(shell find build -path build/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
endif
