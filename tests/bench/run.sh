#!/bin/sh
# run.sh - skillgw benchmarks; prints figures, is not a pass/fail test.
#
#   sh tests/bench/run.sh BUILD_DIR        (make bench runs it on build/)
#
# Needs BUILD_DIR/skillgw, skillctl and smsc_sink, and the sqlite3 CLI.
# Everything runs on 127.0.0.1 in a temporary directory; every process it
# starts is stopped on exit.
#
#  1. MT throughput through the durable queue at window 1, 10 and 100:
#     BENCH_N rows (default 200000) are put in table mt with one SQL
#     statement, then skillgw starts against smsc_sink and the clock runs
#     until no row is below state 2 (submitted). Window 100 is run once more
#     with delivery receipts, until every row is delivered (state 3).
#  2. Peak RSS (VmHWM) of skillgw holding BENCH_RSS_N queued rows (default
#     1000000) with the link down, then again after a sink appears and the
#     queue drains.
#  3. BUILD_DIR/bench_mtq, when it was built.
#  4. The scripts beside it: notices.sh, ussd.sh, sms_roundtrip.sh and
#     api_import.sh (SMS reply latency while a 1,000,000-row import runs
#     through the API); each says what it measures.
#
# Every run uses the default durability "power-loss" (an fsync per group
# commit); window 100 is run once more with "crash" for comparison. Each
# run prints the daemon's line at its stop on the loop's commits (their
# number, the longest, those over 5 ms) and the WAL's checkpoints.
#
# Environment: BENCH_N, BENCH_RSS_N, BENCH_WINDOWS (default "1 10 100"),
# BENCH_DLR=0 skips the receipt run, BENCH_STALL (seconds without progress
# before a run is abandoned, default 60), BENCH_KEEP=1 keeps the temporary
# directory (configs, databases, daemon logs), BENCH_ONLY_MT=1 stops after
# part 1 (tests/bench/pair.sh uses it).
set -u

B=${1:-build}
N=${BENCH_N:-200000}
RSS_N=${BENCH_RSS_N:-1000000}
WINDOWS=${BENCH_WINDOWS:-"1 10 100"}
DLR=${BENCH_DLR:-1}
STALL=${BENCH_STALL:-60}

. "$(dirname "$0")/lib.sh"
bench_init bench GW_PID SINK_PID
need skillgw skillctl smsc_sink || exit 1
need_cmd sqlite3 || exit 1

# write_conf DIR PORT WINDOW REGISTERED_DELIVERY
write_conf() {
	cat >"$1/skillgw.conf" <<EOF
gateway: {
	database = "$1/skillgw.db";
	glossary = "$(pwd)/conf/glossary.conf";
	durability = "${DURABILITY:-power-loss}";
	log_level = "notice";
	country_code = "86";
	shutdown_timeout = 5;
	vty: { address = "127.0.0.1"; port = 0; };
};
queue: {
	max_attempts = 8; retry_min = 1; retry_max = 5; validity = 86400;
	batch = 512; poll_ms = 100; max_parts = 8;
};
text: { concat_timeout = 5; };
commands: { messages = "$(pwd)/conf/messages.conf"; };
notices: { quiet_start = "00:00"; quiet_end = "00:00"; };
links: ( {
	name = "sink"; host = "127.0.0.1"; port = $2;
	system_id = "skillgw"; password = "secret1"; system_type = "";
	bind = "transceiver"; address_range = "";
	source_addr = "12333"; source_ton = 0; source_npi = 1;
	dest_ton = 1; dest_npi = 1;
	window = $3; max_tps = 0;
	enquire_link = 30; inactivity = 120; response_timeout = 10;
	reconnect_min = 1; reconnect_max = 4; throttle_pause_ms = 200;
	gsm_data_coding = 0; long_messages = "udh";
	submit_id_format = "asis"; dlr_id_format = "asis";
	registered_delivery = $4; default = true; prefixes = [ ];
} );
EOF
}

has_mt() {
	[ -s "$DB" ] && [ "$(sql "SELECT count(*) FROM sqlite_master WHERE name='mt';" 2>/dev/null)" = 1 ]
}

# make_db DIR: the daemon's own code creates the schema (skillctl queue, or
# failing that a short run of skillgw with its link down).
make_db() {
	DB=$1/skillgw.db
	"$B/skillctl" -c "$1/skillgw.conf" queue >"$1/skillctl.out" 2>&1
	has_mt && return 0
	"$B/skillgw" -c "$1/skillgw.conf" >"$1/schema.log" 2>&1 &
	GW_PID=$!
	i=0
	while ! has_mt && kill -0 "$GW_PID" 2>/dev/null && [ "$i" -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	stop "$GW_PID"; GW_PID=""
	if ! has_mt; then
		echo "bench: neither skillctl queue nor skillgw created table mt:" >&2
		tail -5 "$1/skillctl.out" "$1/schema.log" >&2
		exit 1
	fi
}

# fill COUNT: COUNT queued single-part GSM MTs in one statement.
fill() { queue_mts "$1" 'skillgw bench message'; }

# start_gw DIR: starts skillgw, sets GW_PID.
start_gw() {
	"$B/skillgw" -c "$1/skillgw.conf" >"$1/skillgw.log" 2>&1 &
	GW_PID=$!
}

# wait_state TARGET_STATE: polls every 100 ms until no row is below
# TARGET_STATE (an index probe, cheap enough not to disturb the run); counts
# the rest once a second to notice a stall. Returns 1 when skillgw died or
# nothing moved for STALL s.
wait_state() {
	last=-1; still=0; tick=0
	while :; do
		[ "$(sql "SELECT EXISTS (SELECT 1 FROM mt WHERE state < $1);" \
			2>/dev/null)" = 0 ] && return 0
		tick=$((tick + 1))
		if ! kill -0 "$GW_PID" 2>/dev/null; then
			left=$(sql "SELECT count(*) FROM mt WHERE state < $1;")
			echo "  skillgw exited with $left rows below state $1; log tail:"
			tail -5 "$D/skillgw.log" | sed 's/^/    /'
			return 1
		fi
		if [ $((tick % 10)) = 0 ]; then
			left=$(sql "SELECT count(*) FROM mt WHERE state < $1;")
			if [ "$left" = "$last" ]; then
				still=$((still + 1))
			else
				still=0; last=$left
			fi
			if [ "$still" -ge "$STALL" ]; then
				echo "  no progress for $STALL s, $left rows below state $1:"
				sql "SELECT state, count(*) FROM mt GROUP BY state;" |
					sed 's/^/    state|rows: /'
				tail -5 "$D/skillgw.log" | sed 's/^/    /'
				return 1
			fi
		fi
		sleep 0.1
	done
}

# run_window W [dlr]: one throughput run in its own directory.
run_window() {
	w=$1; mode=${2:-}
	D=$T/w$w$mode
	mkdir -p "$D"
	if [ "$mode" = dlr ]; then
		start_sink "$D" -d; target=3; rd=true; what="MT delivered"
	else
		start_sink "$D"; target=2; rd=false; what="MT"
	fi
	write_conf "$D" "$PORT" "$w" "$rd"
	make_db "$D"
	fill "$N" || exit 1
	t0=$(now)
	start_gw "$D"
	if wait_state "$target"; then
		t1=$(now)
		t=$(elapsed "$t0" "$t1")
		label="window $w ($DURABILITY):"
		[ "$mode" = dlr ] && label="window $w + receipts ($DURABILITY):"
		echo "$label $N $what in $t s = $(rate "$N" "$t") $what/s" |
			sed 's|MT delivered/s|MT/s|'
		echo "  skillgw peak RSS $(vmhwm "$GW_PID"), CPU $(cpu "$GW_PID" "$t")"
	else
		echo "window $w${mode:+ + receipts}: did not finish"
	fi
	stop "$GW_PID"; GW_PID=""
	# the loop's commits: how long, and who checkpointed the WAL
	grep -o 'commits: .*' "$D/skillgw.log" | sed 's/^/  /'
	# the sink exits on the daemon's unbind; if not, stop it
	stop "$SINK_PID"; SINK_PID=""
	sed 's/^/  /' "$D/sink.out"
	s=$(sql "SELECT group_concat(state || ':' || n, ' ') FROM
		(SELECT state, count(*) n FROM mt GROUP BY state);")
	echo "  rows by state: $s"
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$D"/skillgw.db*
}

# ---------------------------------------------------------------------------
echo "skillgw benchmark: sh tests/bench/run.sh $*"
echo "  $(date -u '+%Y-%m-%d %H:%M:%S UTC'), git $(git describe --always --dirty 2>/dev/null || echo '?')"
machine_line
echo "  sqlite3 $(sqlite3 --version | cut -d' ' -f1); N=$N, RSS_N=$RSS_N"
echo

echo "== MT throughput through the durable queue (loopback smsc_sink) =="
DURABILITY=power-loss	# the default: one fsync per group commit
for w in $WINDOWS; do
	run_window "$w"
done
[ "$DLR" = 1 ] && run_window 100 dlr
DURABILITY=crash	# commits survive a crash of the process, not a power cut
run_window 100
DURABILITY=power-loss
echo
[ "${BENCH_ONLY_MT:-0}" = 1 ] && exit 0

echo "== skillgw memory with $RSS_N queued rows =="
D=$T/rss
mkdir -p "$D"
# a port nobody listens on: take one from a sink, then stop that sink
start_sink "$D"
stop "$SINK_PID"; SINK_PID=""
write_conf "$D" "$PORT" 100 false
make_db "$D"
t0=$(now)
fill "$RSS_N" || exit 1
echo "  filled $RSS_N rows in $(elapsed "$t0" "$(now)") s; database $(du -m "$D/skillgw.db" | cut -f1) MiB"
start_gw "$D"
sleep 3
if kill -0 "$GW_PID" 2>/dev/null; then
	echo "link down, idle 3 s: peak RSS $(vmhwm "$GW_PID")"
	start_sink_on "$D" "$PORT"
	# the clock starts at the first submitted row, after the reconnect
	# back-off (up to reconnect_max) and the bind
	i=0
	while [ "$(sql "SELECT count(*) FROM mt WHERE state >= 2;")" = 0 ] &&
	      kill -0 "$GW_PID" 2>/dev/null && [ "$i" -lt $((STALL * 100)) ]; do
		sleep 0.01; i=$((i + 1))
	done
	t0=$(now)
	if wait_state 2; then
		t=$(elapsed "$t0" "$(now)")
		echo "link up, drained $RSS_N MT in $t s = $(rate "$RSS_N" "$t") MT/s"
		echo "  peak RSS after draining $(vmhwm "$GW_PID")"
	fi
else
	echo "skillgw exited with the link down; log tail:"
	tail -5 "$D/skillgw.log" | sed 's/^/    /'
fi
stop "$GW_PID"; GW_PID=""
stop "$SINK_PID"; SINK_PID=""
sed 's/^/  /' "$D/sink.out"
[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$D"/skillgw.db*
echo

if [ -x "$B/bench_mtq" ]; then
	echo "== $B/bench_mtq =="
	"$B/bench_mtq"
elif [ -f tests/bench/bench_mtq.c ]; then
	echo "== bench_mtq: tests/bench/bench_mtq.c exists but $B/bench_mtq is not built; skipped =="
fi
echo
sh tests/bench/notices.sh "$B"	# notice campaigns
echo
sh tests/bench/ussd.sh "$B"	# USSD dialogues
echo; sh tests/bench/sms_roundtrip.sh "$B"	# SMS command round trip
echo; sh tests/bench/api_import.sh "$B"	# SMS replies during an API import
exit 0
