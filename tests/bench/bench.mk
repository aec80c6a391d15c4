# tests/bench/bench.mk - build rules of the benchmark tools that speak only
# SMPP (no product header: smsc_sink, mo_load, ussd_load). Included by the
# main Makefile after its `all` rule; uses its $(B), $(CC), $(CFLAGS) and
# $(LDFLAGS).

BENCH_TOOLS = smsc_sink mo_load ussd_load
BENCH_LIB   = tests/bench/bench_util.c tests/bench/smpp_min.c
BENCH_HDR   = tests/bench/bench_util.h tests/bench/smpp_min.h

$(BENCH_TOOLS:%=$(B)/%): $(B)/%: tests/bench/%.c $(BENCH_LIB) $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BENCH_LIB)
