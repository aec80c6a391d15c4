# Makefile - build, test, run and install skillgw.
#
#   make            build skillgw and skillctl into build/
#   make SAN=1      the same with AddressSanitizer + UBSan into build-san/
#   make test       unit + integration tests (sanitizer build); ends "N passed, N failed"
#   make run        the demo: deps, demo database, SMSC simulator, gateway
#   make bench      benchmarks that print figures
#   make bench-peers  skillgw and Kannel side by side (installs Debian's kannel)
#   make fuzz       libFuzzer targets (clang, and libsmpp34 built from its Debian
#                   source with ASan), FUZZ_SECONDS each (default 60)
#   make valgrind   every unit test program under valgrind (no sanitizers)
#   make install    PREFIX=/usr/local DESTDIR= (make uninstall undoes it)

PREFIX  ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= $(PREFIX)/etc
DATADIR ?= $(PREFIX)/share/skillgw
CC      ?= cc
PKGS     = libosmocore libosmogsm libosmovty libsmpp34 sqlite3 libconfig talloc libmicrohttpd \
	   libsodium
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

ifeq ($(SAN),1)
B        = build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	   -DSKILLGW_TEST_HOOKS
OPT      = -O1 -g
else
B        = build
SANFLAGS =
OPT      = -O2 -g
endif

CFLAGS  += -std=gnu11 $(OPT) -Wall -Wextra -Werror -Wno-unused-parameter \
	   -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -pthread -Iinclude -I$(B) $(shell pkg-config --cflags $(PKGS)) $(SANFLAGS) \
	   -DSKILLGW_VERSION='"$(VERSION)"' -DSKILLGW_SYSCONFDIR='"$(SYSCONFDIR)/skillgw"' \
	   -DSKILLGW_DATADIR='"$(DATADIR)"'
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lm -pthread

# One folder per module (README, "How it works"). The daemon's library is
# every module but gateway/ctl (skillctl's verbs) and the two mains.
MODULES  = gateway gateway/smpp gateway/text gateway/queue gateway/ussd \
	   gateway/api handlers/domain handlers/replies handlers/sms \
	   handlers/ussd handlers/notice handlers/data handlers/quality
LIB_SRC  = $(filter-out gateway/main.c,$(foreach m,$(MODULES),$(wildcard $(m)/*.c)))
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
CTL_SRC  = $(wildcard gateway/ctl/*.c)
CTL_OBJ  = $(CTL_SRC:%.c=$(B)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

all: $(B)/skillgw $(B)/skillctl

SCHEMA   = gateway/schema.sql $(sort $(wildcard gateway/schema/*.sql))

$(B)/schema.h: $(SCHEMA) scripts/sql2c.sh
	@mkdir -p $(@D)
	sh scripts/sql2c.sh $(SCHEMA) > $@

# the API serves the contract it was built with
$(B)/openapi.h: gateway/api/openapi.json scripts/file2c.sh
	@mkdir -p $(@D)
	sh scripts/file2c.sh api_openapi_json $< > $@

$(B)/gateway/api/static.o: $(B)/openapi.h

# -MMD -MP: each object's header dependencies (public and private) are
# written beside it as .d and read back below
$(B)/%.o: %.c $(B)/schema.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(B) -name '*.d' 2>/dev/null)

$(B)/libsgw.a: $(LIB_OBJ)
	rm -f $@; ar rcs $@ $^

$(B)/libctl.a: $(CTL_OBJ)
	rm -f $@; ar rcs $@ $^

$(B)/skillgw: $(B)/gateway/main.o $(B)/libsgw.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/skillctl: $(B)/libctl.a $(B)/libsgw.a
	$(CC) $(LDFLAGS) -o $@ $(B)/gateway/ctl/skillctl.o $^ $(LDLIBS)

TEST_UTIL = $(B)/tests/testutil.o $(B)/tests/rawpdu.o $(B)/tests/fixture.o

# unit tests may reach private headers of the modules they test
TEST_INC  = $(foreach m,$(MODULES) gateway/ctl,-I$(m))

$(B)/tests/%: tests/unit/%.c $(TEST_UTIL) $(B)/libctl.a $(B)/libsgw.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_INC) -MMD -MP $(LDFLAGS) -o $@ $< $(TEST_UTIL) \
		$(B)/libctl.a $(B)/libsgw.a $(LDLIBS) -lcmocka

$(B)/tests/%.o: tests/unit/%.c $(B)/schema.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_INC) -MMD -MP -c -o $@ $<

# the replay test includes every fuzz target (see tests/fuzz/fuzz.h)
$(B)/tests/test_fuzz_corpus: $(wildcard tests/fuzz/*.c tests/fuzz/*.h)

include tests/bench/bench.mk

$(B)/bench_mtq: tests/bench/bench_mtq.c $(B)/libsgw.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libsgw.a $(LDLIBS)

$(B)/bench_notice: tests/bench/bench_notice.c $(B)/libsgw.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libsgw.a $(LDLIBS)

units: $(UNIT_BIN)

deps:
	sh scripts/deps.sh

test: deps
	$(MAKE) SAN=1 all units
	sh tests/run.sh build-san

bench: deps
	$(MAKE) all build/smsc_sink build/bench_mtq build/bench_notice build/ussd_load build/mo_load
	sh tests/bench/run.sh build

run: deps
	$(MAKE) all
	sh scripts/demo.sh build

# ---- install ---------------------------------------------------------------
# Binaries; a man page for each, made from its --help (scripts/manpage.sh);
# in $(SYSCONFDIR)/skillgw every conf/ file as NAME.example (always: the
# reference for an upgrade) and as NAME when there is none yet (an operator's
# edits are never overwritten), the database pointed at /var/lib/skillgw,
# where the systemd unit keeps it (StateDirectory), the API off (accounts
# first) with its console in $(DATADIR)/console; the unit with this
# PREFIX and SYSCONFDIR in its paths.
BINS     = skillgw skillctl
ETC      = $(DESTDIR)$(SYSCONFDIR)/skillgw
MANDIR   = $(PREFIX)/share/man/man8
UNITDIR  = $(PREFIX)/lib/systemd/system
DOCDIR   = $(PREFIX)/share/doc/skillgw
CONF_SRC = $(filter-out %.service,$(wildcard conf/*.conf conf/*.example))
CONF_DB  = sed -e 's|^\([ \t]*database[ \t]*=\).*|\1 "/var/lib/skillgw/skillgw.db";|' \
	   -e '/^api:/,/^};/s|^\([ \t]*enabled[ \t]*=\).*|\1 false;|' \
	   -e '/^api:/,/^};/s|^\([ \t]*console_dir[ \t]*=\).*|\1 "$(DATADIR)/console";|'
CONSOLE  = gateway/api/console

$(B)/man/%.8: $(B)/% scripts/manpage.sh
	@mkdir -p $(@D)
	sh scripts/manpage.sh $< 8 $(SYSCONFDIR)/skillgw > $@

man: $(BINS:%=$(B)/man/%.8)

install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(ETC) $(DESTDIR)$(MANDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	install -m 755 $(BINS:%=$(B)/%) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BINS:%=$(B)/man/%.8) $(DESTDIR)$(MANDIR)/
	for f in $(CONF_SRC); do \
		n=$$(basename $$f .example); \
		$(CONF_DB) $$f > $(ETC)/$$n.example.tmp && \
		chmod 644 $(ETC)/$$n.example.tmp && \
		mv $(ETC)/$$n.example.tmp $(ETC)/$$n.example || exit 1; \
		case $$f in *.example) continue ;; esac; \
		[ -e $(ETC)/$$n ] || install -m 644 $(ETC)/$$n.example $(ETC)/$$n || exit 1; \
	done
	sed -e 's|/usr/local/etc|@SYSCONFDIR@|g' -e 's|/usr/local|@PREFIX@|g' \
		-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@PREFIX@|$(PREFIX)|g' \
		conf/skillgw.service > $(DESTDIR)$(UNITDIR)/skillgw.service
	chmod 644 $(DESTDIR)$(UNITDIR)/skillgw.service
	[ ! -f README.md ] || install -m 644 README.md $(DESTDIR)$(DOCDIR)/
	[ ! -d $(CONSOLE) ] || (cd $(CONSOLE) && find . -type f ! -name '.*' \
		-exec install -D -m 644 {} $(DESTDIR)$(DATADIR)/console/{} \;)

uninstall:
	rm -f $(BINS:%=$(DESTDIR)$(PREFIX)/bin/%) $(BINS:%=$(DESTDIR)$(MANDIR)/%.8) \
		$(DESTDIR)$(UNITDIR)/skillgw.service $(DESTDIR)$(DOCDIR)/README.md
	for f in $(CONF_SRC); do rm -f $(ETC)/$$(basename $$f .example).example; done
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	rm -rf $(DESTDIR)$(DATADIR)/console
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null
	@echo "kept: $(ETC) (your configuration) and /var/lib/skillgw (the database)"

# ---- fuzzing and valgrind ---------------------------------------------------
# make fuzz: the targets tests/fuzz/fuzz_*.c built with clang and libFuzzer
# into build-fuzz/ and run FUZZ_SECONDS each by tests/fuzz/run.sh. The
# product sources are compiled again into build-fuzz/libsgw.a by this
# Makefile with CC=clang, instrumented for coverage, ASan and UBSan
# (-Wno-error there: clang warns where gcc does not, e.g. about positional
# initializers inside designated ones, and the gcc build is the one that
# keeps -Werror); a target links only the objects it needs.
# libsmpp34 too is built from source with ASan and UBSan (and coverage), so
# that the sanitizers see into it: tests/fuzz/libsmpp34.sh fetches the
# Debian source package of the installed libsmpp34-dev (apt-get source, with
# a source list of its own) and builds build-fuzz/libsmpp34/lib/libsmpp34.a
# and build-fuzz/libsmpp34/include, once per version; the fuzz build takes
# libsmpp34's headers and library from there, never from the system
# (FUZZ_PKGS has no libsmpp34). Nothing of it is committed.
# make valgrind: the unit tests of the plain build under valgrind.
FB       = build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	   -fno-omit-frame-pointer
FUZZ_BIN = $(patsubst tests/fuzz/%.c,$(FB)/%,$(wildcard tests/fuzz/fuzz_*.c))
SMPP34   = $(FB)/libsmpp34
FUZZ_PKGS = $(filter-out libsmpp34,$(PKGS))
FUZZ_INC = -I$(SMPP34)/include
FUZZ_LIBS = $(SMPP34)/lib/libsmpp34.a $(shell pkg-config --libs $(FUZZ_PKGS)) -lm -pthread
SMPP34_SETUP = CC='$(FUZZ_CC)' \
	CFLAGS='-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)' \
	sh tests/fuzz/libsmpp34.sh $(SMPP34)

# built when missing; make fuzz-build runs the script every time (it does
# nothing when the build is there for the installed version)
$(SMPP34)/lib/libsmpp34.a:
	$(SMPP34_SETUP)

# compiled against libsmpp34's headers: again when it was rebuilt
$(LIB_SRC:%.c=$(FB)/%.o): $(SMPP34)/lib/libsmpp34.a

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FB)/libsgw.a \
		$(SMPP34)/lib/libsmpp34.a
	$(FUZZ_CC) -std=gnu11 -O1 -g -Wall -Wextra -DFUZZ_LIBFUZZER -Iinclude \
		$(FUZZ_INC) $(shell pkg-config --cflags $(FUZZ_PKGS)) \
		-fsanitize=fuzzer $(FUZZ_SAN) \
		-o $@ $< $(FB)/libsgw.a $(FUZZ_LIBS)

fuzz-build:
	@command -v $(FUZZ_CC) >/dev/null || \
		{ echo "make fuzz needs $(FUZZ_CC): apt-get install -y clang"; exit 1; }
	$(SMPP34_SETUP)
	$(MAKE) B=$(FB) CC=$(FUZZ_CC) OPT='-O1 -g' PKGS='$(FUZZ_PKGS)' \
		SANFLAGS='$(FUZZ_INC) -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
		-Wno-error -Wno-missing-field-initializers' $(FB)/libsgw.a
	$(MAKE) $(FUZZ_BIN)

fuzz: fuzz-build
	sh tests/fuzz/run.sh $(FB) $(FUZZ_SECONDS)

# -k: a test that does not build is reported by tests/valgrind.sh, the
# others still run
valgrind:
	-$(MAKE) -k all units
	sh tests/valgrind.sh build

clean:
	rm -rf build build-san build-fuzz

.PHONY: all units deps test bench run man install uninstall clean fuzz fuzz-build valgrind
.SECONDARY:
