# tests/bench/bench.mk - build rules of the benchmark tools that speak only
# SMPP or HTTP (no product header: smsc_sink, mo_load, ussd_load,
# sendsms_load) and `make bench-peers`. Included by the main Makefile after
# its `all` rule; uses its $(B), $(CC), $(CFLAGS) and $(LDFLAGS) and its
# `deps` and `all` targets.
#
#   make bench-peers   skillgw and Kannel 1.4.5 side by side on the same
#                      workload (tests/bench/peers.sh; installs Debian's
#                      kannel when root with network, else skips itself)

BENCH_TOOLS = smsc_sink mo_load ussd_load sendsms_load
BENCH_LIB   = tests/bench/bench_util.c tests/bench/smpp_min.c
BENCH_HDR   = tests/bench/bench_util.h tests/bench/smpp_min.h

$(BENCH_TOOLS:%=$(B)/%): $(B)/%: tests/bench/%.c $(BENCH_LIB) $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BENCH_LIB)

bench-peers: deps
	$(MAKE) all $(BENCH_TOOLS:%=$(B)/%)
	sh tests/bench/peers.sh $(B)

.PHONY: bench-peers
