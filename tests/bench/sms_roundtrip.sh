#!/bin/sh
# sms_roundtrip.sh - the subsidy-status round trip: a worker texts
# BT, skillgw answers; MO in -> reply submitted, on a roster of
# BENCH_SMS_WORKERS workers (default 1000000). Prints figures, is not a
# pass/fail test. tests/bench/run.sh calls it (make bench).
#
#   sh tests/bench/sms_roundtrip.sh BUILD_DIR
#
#  1. The demo data set with that many workers (scripts/load-demo.sh:
#     gen-demo.js + skillctl import) in a temporary database. The senders
#     are the mobile numbers of workers.csv (every worker with a number is
#     bound), shuffled with a fixed seed and taken in turn: at the default
#     settings no number sends twice in a run, so the per-number rate
#     limit (commands.rate_limit, left at its default of 10 in 60 s) never
#     answers instead of the command (mo_load prints the shortest gap
#     between two MOs of one number if one repeats).
#  2. For each queue.poll_ms in BENCH_SMS_POLL (default "500", the
#     daemon's default; a reply must not wait for it): skillgw on a copy
#     of that database, bound as transceiver to BUILD_DIR/mo_load
#     (tests/bench/mo_load.c: the SMSC, which sends the MOs and times
#     every reply; see its header), gateway.durability
#     BENCH_SMS_DURABILITY (default "power-loss", the daemon's default: an
#     fsync per group commit), link window 100, max_tps 0, no receipts.
#     mo_load runs a 3 s warm-up, the open loop at each rate of
#     BENCH_SMS_RATES MO/s (default "1000 5000 10000"), then the closed
#     loop with each count of BENCH_SMS_OUTSTANDING MOs awaiting their
#     reply (default "1 10 100 1000"), BENCH_SMS_SECS seconds each
#     (default 5). Per phase: replies/s, reply latency p50/p99/p99.9/max,
#     deliver_sm_resp latency, skillgw's CPU (per reply too) and how long
#     it waited for a CPU, and the CPU other processes took: a busy
#     machine shows there, and in the tail latencies.
#  3. A summary against the aim, 10,000/s with p99 under 5 ms:
#     the highest open-loop rate answered in full with p99 < 5 ms, and the
#     most replies a second of any phase.
#
# Environment: the above; BENCH_SMS_PERF=1 adds a perf profile of skillgw
# (cpu-clock; self time by library and the top symbols) over the last
# poll setting's run when perf works; BENCH_SMS_CACHE=DIR keeps the
# generated database and number list in DIR and reuses them when there
# (same worker count); BENCH_KEEP=1 keeps the temporary directory
# (configs, logs). About 2 minutes at the defaults.
#
# Everything runs on 127.0.0.1 in a temporary directory; every process it
# starts is stopped on exit.
set -u

B=${1:-build}
WORKERS=${BENCH_SMS_WORKERS:-1000000}
POLLS=${BENCH_SMS_POLL:-500}
RATES=${BENCH_SMS_RATES:-"1000 5000 10000"}
OUTSTANDING=${BENCH_SMS_OUTSTANDING:-"1 10 100 1000"}
SECS=${BENCH_SMS_SECS:-5}
DURABILITY=${BENCH_SMS_DURABILITY:-power-loss}
DRAIN=5
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $B in /*) ;; *) B=$(pwd)/$B ;; esac

echo "== SMS round trip: BT (subsidy status), MO in -> reply submitted =="
for f in skillgw skillctl mo_load; do
	if [ ! -x "$B/$f" ]; then
		echo "  $B/$f not built (make all $B/mo_load): skipped"
		exit 0
	fi
done
for c in node sqlite3; do
	command -v $c >/dev/null || { echo "  $c missing: skipped"; exit 0; }
done

. "$ROOT/tests/bench/lib.sh"
bench_init bench-sms PERF_PID LOAD_PID GW_PID

# ---- 1. data ----------------------------------------------------------------
DATA=${BENCH_SMS_CACHE:-$T/data}
mkdir -p "$DATA" || exit 1
worker_data "$DATA" "$WORKERS" || exit 0
NUMS=$(wc -l <"$DATA/numbers.txt" | tr -d ' ')
BOUND=$(sqlite3 "$DATA/base.db" "SELECT count(*) FROM worker WHERE msisdn IS NOT NULL;")
echo "  senders: $NUMS numbers from workers.csv ($BOUND workers bound)," \
	"$(cat "$DATA/with_subsidy" 2>/dev/null || echo '?') of them with subsidy rows"

# ---- 2. runs ----------------------------------------------------------------
PHASES="R:1000:3"
total=3
for r in $RATES; do PHASES="$PHASES r:$r:$SECS"; total=$((total + SECS + DRAIN)); done
for n in $OUTSTANDING; do PHASES="$PHASES c:$n:$SECS"; total=$((total + SECS + DRAIN)); done
PERF_OK=0
if [ "${BENCH_SMS_PERF:-0}" = 1 ] && command -v perf >/dev/null &&
   perf record -q -e cpu-clock -o "$T/perf.probe" -- true >/dev/null 2>&1; then
	PERF_OK=1
fi
last_poll=$(echo "$POLLS" | awk '{ print $NF }')

for poll in $POLLS; do
	D=$T/poll$poll
	mkdir -p "$D"
	cp "$DATA/base.db" "$D/skillgw.db" || exit 1
	echo
	echo "-- queue.poll_ms = $poll, durability $DURABILITY --"
	rm -f "$D/port" "$D/gw.pid"
	# shellcheck disable=SC2086  # $PHASES: one word a phase
	"$B/mo_load" -p 0 -f "$D/port" -n "$DATA/numbers.txt" -g "$D/gw.pid" \
		-o "$D/phases.tsv" -B 30 -D "$DRAIN" -q $PHASES \
		>"$D/load.out" 2>"$D/load.err" &
	LOAD_PID=$!
	if ! wait_file "$D/port" "$LOAD_PID" 300; then
		echo "  mo_load did not start:"; sed 's/^/    /' "$D/load.err"
		exit 0
	fi
	cmd_conf "$D" "$(cat "$D/port")" "$poll" "$DURABILITY" true
	"$B/skillgw" -c "$D/skillgw.conf" >"$D/skillgw.log" 2>&1 &
	GW_PID=$!
	echo "$GW_PID" >"$D/gw.pid"
	if [ "$PERF_OK" = 1 ] && [ "$poll" = "$last_poll" ]; then
		perf record -q -e cpu-clock -g -p "$GW_PID" -o "$T/perf.data" \
			>/dev/null 2>&1 &
		PERF_PID=$!
	fi
	# mo_load prints "end:" after its phases (then waits for the unbind)
	# or exits on an error; a watchdog in case
	i=0
	limit=$(( (total + 60) * 10 ))
	while kill -0 "$LOAD_PID" 2>/dev/null && ! grep -q '^end:' "$D/load.out" &&
	      [ $i -lt $limit ]; do
		sleep 0.1; i=$((i + 1))
	done
	if [ $i -ge $limit ]; then
		echo "  mo_load still running after $((limit / 10)) s: stopped"
	fi
	if kill -0 "$GW_PID" 2>/dev/null; then
		rss=$(awk '/^VmHWM:/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$GW_PID/status")
		gw_alive=1
	else
		gw_alive=0
	fi
	if [ -n "$PERF_PID" ]; then
		kill -INT "$PERF_PID" 2>/dev/null
		i=0
		while kill -0 "$PERF_PID" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
		stop "$PERF_PID"; PERF_PID=""
	fi
	stop "$GW_PID"; GW_PID=""	# it unbinds; mo_load then exits
	stop "$LOAD_PID"; LOAD_PID=""
	grep -v '^end:' "$D/load.out" | sed 's/^/  /'
	grep -v '^$' "$D/load.err" | sed 's/^/  mo_load: /'
	if [ "$gw_alive" = 1 ]; then
		echo "  skillgw peak RSS $rss"
	else
		echo "  skillgw exited during the run; log tail:"
		tail -5 "$D/skillgw.log" | sed 's/^/    /'
	fi
	# against the aim: the highest open-loop rate answered in full
	# (nothing lost, >= 98% of the rate) with p99 < 5 ms; the most
	# replies a second of any phase
	[ -s "$D/phases.tsv" ] && awk -F'\t' '
		$3 == 1 { next }
		$1 == "r" && $6 == 0 && $7 >= 0.98 * $2 && $9 < 5 && $2 > ok { ok = $2 }
		$7 > best { best = $7; bp99 = $9
			what = "closed loop, " $2 " outstanding"
			if ($1 == "r") what = "open loop " $2 " MO/s" }
		END {
			printf "  summary: open loop answered in full with p99 < 5 ms up to %s;" \
				" aim (10000/s, p99 < 5 ms) %s\n",
				(ok ? ok " MO/s" : "none of the rates"),
				(ok >= 10000 ? "met" : "not met")
			printf "  summary: most replies %.0f/s (%s, p99 %.2f ms)\n", best, what, bp99
		}' "$D/phases.tsv"
	errs=$(grep -c ' ERROR ' "$D/skillgw.log")
	[ "$errs" = 0 ] || echo "  skillgw logged $errs errors, in $D/skillgw.log"
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$D"/skillgw.db*
done

if [ -s "$T/perf.data" ]; then
	echo
	echo "-- perf (cpu-clock): skillgw over the queue.poll_ms = $last_poll run, self time by library --"
	perf report -i "$T/perf.data" --stdio --no-children --sort dso \
		--percent-limit 0.5 -g none 2>/dev/null |
		awk '/^ *[0-9.]+%/ { printf "  %8s  %s\n", $1, $2 }'
	echo "  top symbols:"
	perf report -i "$T/perf.data" --stdio --no-children --sort symbol \
		--percent-limit 1 -g none 2>/dev/null |
		awk '/^ *[0-9.]+%/ { p = $1; $1 = ""; sub(/( -)+ *$/, "")
			printf "  %8s %s\n", p, $0 }' |
		head -20
fi
exit 0
