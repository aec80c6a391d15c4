# Makefile - build, test, run and install skillgw.
#
#   make            build skillgw and skillctl into build/
#   make SAN=1      the same with AddressSanitizer + UBSan into build-san/
#   make test       unit + integration tests (sanitizer build); ends "N passed, N failed"
#   make run        the demo: deps, demo database, SMSC simulator, gateway
#   make bench      benchmarks that print figures
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS     = libosmocore libosmogsm libosmovty libsmpp34 sqlite3 libconfig talloc libmicrohttpd
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

ifeq ($(SAN),1)
B        = build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      = -O1 -g
else
B        = build
SANFLAGS =
OPT      = -O2 -g
endif

CFLAGS  += -std=gnu11 $(OPT) -Wall -Wextra -Werror -Wno-unused-parameter \
	   -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Iinclude -I$(B) $(shell pkg-config --cflags $(PKGS)) $(SANFLAGS) \
	   -DSKILLGW_VERSION='"$(VERSION)"' -DSKILLGW_SYSCONFDIR='"$(PREFIX)/etc/skillgw"'
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lm

LIB_SRC  = $(filter-out gateway/main.c gateway/skillctl.c,$(wildcard gateway/*.c)) \
	   $(wildcard handlers/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

all: $(B)/skillgw $(B)/skillctl

$(B)/schema.h: gateway/schema.sql scripts/sql2c.sh
	@mkdir -p $(@D)
	sh scripts/sql2c.sh $< > $@

$(B)/%.o: %.c $(B)/schema.h $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libsgw.a: $(LIB_OBJ)
	rm -f $@; ar rcs $@ $^

$(B)/skillgw: $(B)/gateway/main.o $(B)/libsgw.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/skillctl: $(B)/gateway/skillctl.o $(B)/libsgw.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libsgw.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libsgw.a $(LDLIBS) -lcmocka

$(B)/smsc_sink: tests/bench/smsc_sink.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

$(B)/bench_mtq: tests/bench/bench_mtq.c $(B)/libsgw.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libsgw.a $(LDLIBS)

units: $(UNIT_BIN)

deps:
	sh scripts/deps.sh

test: deps
	$(MAKE) SAN=1 all units
	sh tests/run.sh build-san

bench: deps
	$(MAKE) all build/smsc_sink build/bench_mtq
	sh tests/bench/run.sh build

run: deps
	$(MAKE) all
	sh scripts/demo.sh build

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/etc/skillgw \
		$(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 755 $(B)/skillgw $(B)/skillctl $(DESTDIR)$(PREFIX)/bin/
	install -m 644 conf/skillgw.conf $(DESTDIR)$(PREFIX)/etc/skillgw/skillgw.conf.example
	install -m 644 conf/skillgw.service $(DESTDIR)$(PREFIX)/lib/systemd/system/

clean:
	rm -rf build build-san

.PHONY: all units deps test bench run install clean
.SECONDARY:
