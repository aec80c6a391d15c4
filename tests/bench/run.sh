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
#
# Every run uses the default durability "power-loss" (an fsync per group
# commit); window 100 is run once more with "crash" for comparison.
#
# Environment: BENCH_N, BENCH_RSS_N, BENCH_WINDOWS (default "1 10 100"),
# BENCH_DLR=0 skips the receipt run, BENCH_STALL (seconds without progress
# before a run is abandoned, default 60), BENCH_KEEP=1 keeps the temporary
# directory (configs, databases, daemon logs).
set -u

B=${1:-build}
N=${BENCH_N:-200000}
RSS_N=${BENCH_RSS_N:-1000000}
WINDOWS=${BENCH_WINDOWS:-"1 10 100"}
DLR=${BENCH_DLR:-1}
STALL=${BENCH_STALL:-60}

for f in skillgw skillctl smsc_sink; do
	if [ ! -x "$B/$f" ]; then
		echo "bench: $B/$f not built (make all $B/smsc_sink)" >&2
		exit 1
	fi
done
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 CLI missing" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/skillgw-bench.XXXXXX") || exit 1
GW_PID=""
SINK_PID=""

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	for p in $GW_PID $SINK_PID; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $GW_PID $SINK_PID; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ "$i" -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

now() { date +%s.%N; }
# elapsed START END -> seconds with 3 decimals
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }

# vmhwm PID -> peak RSS as "N KiB (M MiB)"
vmhwm() {
	awk '/^VmHWM:/ { printf "%d KiB (%.1f MiB)", $2, $2 / 1024 }' \
		"/proc/$1/status" 2>/dev/null
}

# cpu PID WALL -> "user U s, system S s (P% of one CPU)" so far
cpu() {
	awk -v hz="$(getconf CLK_TCK)" -v wall="$2" '{
		u = $14 / hz; s = $15 / hz
		printf "user %.2f s, system %.2f s (%.0f%% of one CPU)", u, s,
			(wall > 0 ? 100 * (u + s) / wall : 0)
	}' "/proc/$1/stat" 2>/dev/null
}

# start_sink DIR [ARGS...]: starts smsc_sink on a free port, sets SINK_PID
# and PORT. Its summary line goes to DIR/sink.out.
start_sink() {
	d=$1; shift
	rm -f "$d/port"
	"$B/smsc_sink" -p 0 -q -f "$d/port" "$@" >"$d/sink.out" 2>"$d/sink.err" &
	SINK_PID=$!
	i=0
	while [ ! -s "$d/port" ]; do
		if ! kill -0 "$SINK_PID" 2>/dev/null || [ $i -ge 50 ]; then
			echo "bench: smsc_sink did not start:" >&2
			cat "$d/sink.err" >&2
			exit 1
		fi
		sleep 0.1; i=$((i + 1))
	done
	PORT=$(cat "$d/port")
}

# start_sink_on DIR PORT [ARGS...]: the same on a given port.
start_sink_on() {
	d=$1; p=$2; shift 2
	rm -f "$d/port"
	"$B/smsc_sink" -p "$p" -q -f "$d/port" "$@" >"$d/sink.out" 2>"$d/sink.err" &
	SINK_PID=$!
	i=0
	while [ ! -s "$d/port" ]; do
		if ! kill -0 "$SINK_PID" 2>/dev/null || [ $i -ge 50 ]; then
			echo "bench: smsc_sink did not start on $p:" >&2
			cat "$d/sink.err" >&2
			exit 1
		fi
		sleep 0.1; i=$((i + 1))
	done
}

# stop PID: SIGTERM, wait up to 15 s, then SIGKILL. Prints nothing.
stop() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$i" -lt 150 ]; do
		sleep 0.1; i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "  (pid $1 ignored SIGTERM for 15 s; killed)"
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
}

# write_conf DIR PORT WINDOW REGISTERED_DELIVERY
write_conf() {
	cat >"$1/skillgw.conf" <<EOF
gateway: {
	database = "$1/skillgw.db";
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

sql() { sqlite3 -cmd ".timeout 5000" "$DB" "$@"; }

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
fill() {
	sql <<EOF
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $1)
INSERT INTO mt (dst, text, prio, state, next_try, expires_at, created_at)
SELECT printf('8613%09d', i), 'skillgw bench message ' || i, 2, 0, 0,
       CAST(strftime('%s','now') AS INTEGER) * 1000 + 86400000,
       CAST(strftime('%s','now') AS INTEGER) * 1000
FROM c;
EOF
}

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
echo "  machine: $(nproc) CPUs, $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
	"$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
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
sh tests/bench/notices.sh "$B"	# notice campaigns (issue 5)
echo
sh tests/bench/ussd.sh "$B"	# USSD dialogues (issue 4)
echo; sh tests/bench/sms_roundtrip.sh "$B"	# SMS command round trip (issue 3)
exit 0
