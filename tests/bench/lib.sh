# lib.sh - what the bench scripts (run.sh, sms_roundtrip.sh, ussd.sh,
# notices.sh, peers.sh) share; sourced, not run:
#
#   . "$(dirname "$0")/lib.sh"
#   bench_init NAME GW_PID SINK_PID ...
#
# bench_init empties the variables, makes the temporary directory $T and
# sets an EXIT trap that
# ends, by PID, every process whose PID one of the named variables holds
# at that moment (SIGTERM, up to 5 s, then SIGKILL) and removes $T (kept
# with BENCH_KEEP=1). The rest: stopping one process, waiting for the file
# a tool writes once it listens, a free loopback port, the smsc_sink,
# clocks and rates, CPU time and peak memory of a process, the sqlite3
# CLI on the database, queued MTs, a skillgw configuration that answers
# SMS commands, and the demo data set of N workers.
# Every function expects $B (the build directory) where it runs a tool.

# bench_init NAME VAR...: see above.
bench_init() {
	BENCH_NAME=$1; shift
	BENCH_VARS=$*
	for v in $BENCH_VARS; do
		eval "$v="
	done
	T=$(mktemp -d "${TMPDIR:-/tmp}/skillgw-$BENCH_NAME.XXXXXX") || exit 1
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

# The PIDs the variables of bench_init hold now.
bench_pids() {
	for v in $BENCH_VARS; do
		eval "printf '%s ' \"\${$v:-}\""
	done
}

# shellcheck disable=SC2317  # called from the EXIT trap
bench_cleanup() {
	pids=$(bench_pids)
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ "$i" -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "$BENCH_NAME: kept $T"
	else
		rm -rf "$T"
	fi
}

# stop PID: SIGTERM, wait up to 15 s, then SIGKILL; reaps it. Says
# something only when it had to kill.
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

# wait_file FILE PID [TENTHS]: until FILE is not empty (a tool wrote its
# port), at most TENTHS tenths of a second (default 50); 1 when PID died
# or time ran out.
wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		kill -0 "$2" 2>/dev/null && [ "$i" -lt "${3:-50}" ] || return 1
		sleep 0.1; i=$((i + 1))
	done
}

# need TOOL...: 1 (and a line on stderr) when one of $B/TOOL is not built.
need() {
	for f in "$@"; do
		if [ ! -x "$B/$f" ]; then
			echo "$BENCH_NAME: $B/$f not built (make all $B/$f)" >&2
			return 1
		fi
	done
}

# need_cmd COMMAND...: 1 (and a line on stderr) when one is missing.
need_cmd() {
	for c in "$@"; do
		if ! command -v "$c" >/dev/null; then
			echo "$BENCH_NAME: $c missing" >&2
			return 1
		fi
	done
}

# port_used PORT [STATE]: 0 when a TCP socket has local port PORT (in
# that state: 0A listening), else 1 (/proc/net/tcp and tcp6).
port_used() {
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v h=":$(printf '%04X' "$1")" -v st="${2:-}" \
			'$2 ~ h "$" && (st == "" || $4 == st) { f = 1 } END { exit !f }'
}

# wait_listen PORT PID [TENTHS]: until something listens on PORT, at most
# TENTHS tenths of a second (default 100); 1 when PID died or time ran out.
wait_listen() {
	i=0
	until port_used "$1" 0A; do
		kill -0 "$2" 2>/dev/null && [ "$i" -lt "${3:-100}" ] || return 1
		sleep 0.1; i=$((i + 1))
	done
}

# free_port VAR: sets VAR to a TCP port of 127.0.0.1 nobody uses now
# (random in 20000-59999), never one it gave before in this script.
free_port() {
	while :; do
		p=$(awk -v s="$(od -An -N2 -tu2 /dev/urandom)" \
			'BEGIN { printf "%d", 20000 + s % 40000 }')
		case " ${BENCH_PORTS:-} " in *" $p "*) continue ;; esac
		port_used "$p" && continue
		BENCH_PORTS="${BENCH_PORTS:-} $p"
		eval "$1=$p"
		return 0
	done
}

# start_sink DIR [ARGS...]: smsc_sink on a free port; sets SINK_PID and
# PORT. start_sink_on DIR PORT [ARGS...]: on that port. Its summary goes
# to DIR/sink.out, its log (with SINK_LOG=1: the binds too) to
# DIR/sink.err.
start_sink() {
	d=$1; shift
	start_sink_on "$d" 0 "$@"
}

start_sink_on() {
	d=$1; p=$2; shift 2
	rm -f "$d/port"
	q=-q
	[ "${SINK_LOG:-0}" = 1 ] && q=
	# shellcheck disable=SC2086  # $q: one word or none
	"$B/smsc_sink" -p "$p" $q -f "$d/port" "$@" >"$d/sink.out" 2>"$d/sink.err" &
	SINK_PID=$!
	if ! wait_file "$d/port" "$SINK_PID"; then
		echo "$BENCH_NAME: smsc_sink did not start:" >&2
		cat "$d/sink.err" >&2
		exit 1
	fi
	# shellcheck disable=SC2034  # for the caller
	PORT=$(cat "$d/port")
}

now() { date +%s.%N; }
# elapsed START END [DECIMALS] -> seconds (3 decimals by default)
elapsed() {
	awk -v a="$1" -v b="$2" -v d="${3:-3}" 'BEGIN { printf "%.*f", d, b - a }'
}
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }

# cpu_s PID... -> user + system CPU seconds of the processes, summed
# (/proc/PID/stat; a process that is gone counts 0)
cpu_s() {
	for p in "$@"; do
		cat "/proc/$p/stat" 2>/dev/null || echo
	done | awk -v hz="$(getconf CLK_TCK)" '{
		sub(/^.*\) /, ""); s += ($12 + $13) / hz
	} END { printf "%.3f", s }'
}

# cpu PID WALL -> "user U s, system S s (P% of one CPU)" so far
cpu() {
	awk -v hz="$(getconf CLK_TCK)" -v wall="$2" '{
		u = $14 / hz; s = $15 / hz
		printf "user %.2f s, system %.2f s (%.0f%% of one CPU)", u, s,
			(wall > 0 ? 100 * (u + s) / wall : 0)
	}' "/proc/$1/stat" 2>/dev/null
}

# vmhwm PID -> peak RSS as "N KiB (M MiB)"
vmhwm() {
	awk '/^VmHWM:/ { printf "%d KiB (%.1f MiB)", $2, $2 / 1024 }' \
		"/proc/$1/status" 2>/dev/null
}

# shellcheck disable=SC2120  # the scripts pass them
# sql ARGS...: sqlite3 on $DB (default $T/skillgw.db), 5 s busy timeout.
sql() { sqlite3 -cmd ".timeout 5000" "${DB:-$T/skillgw.db}" "$@"; }

# queue_mts COUNT TEXT: COUNT queued single-part GSM MTs to 8613000000001..
# in one statement, the text "TEXT N", as bulk (prio 3, what a campaign
# queues). Prio 2 is the notifications' class since schema step 005: on a
# link without max_tps it takes notify.share (15%) of the window's room per
# take, so rows written as 2 measured that class, not bulk.
queue_mts() {
	# shellcheck disable=SC2119
	sql <<EOF
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $1)
INSERT INTO mt (dst, text, prio, state, next_try, expires_at, created_at)
SELECT printf('8613%09d', i), '$2 ' || i, 3, 0, 0,
       CAST(strftime('%s','now') AS INTEGER) * 1000 + 86400000,
       CAST(strftime('%s','now') AS INTEGER) * 1000
FROM c;
EOF
}

# machine_line: CPUs, model, memory, kernel.
machine_line() {
	echo "  machine: $(nproc) CPUs, $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
		"$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
}

# cmd_conf DIR PORT POLL_MS DURABILITY COMMANDS: DIR/skillgw.conf for
# skillgw on DIR/skillgw.db answering SMS commands (COMMANDS true) or not,
# one transceiver link of window 100, no TPS cap, no receipts, to an SMSC
# on 127.0.0.1:PORT; no quiet hours. Needs $ROOT.
cmd_conf() {
	cat >"$1/skillgw.conf" <<EOF
gateway: {
	database = "$1/skillgw.db";
	glossary = "$ROOT/conf/glossary.conf";
	log_level = "notice";
	durability = "$4";
	vty: { address = "127.0.0.1"; port = 0; };
};
queue: { batch = 512; poll_ms = $3; max_parts = 8; };
commands: {
	enabled = $5;
	messages = "$ROOT/conf/messages.conf";
	rate_limit = 10; rate_window = 60;
	hotline = "12333"; signature = "【揭阳人社】";
};
notices: { quiet_start = "00:00"; quiet_end = "00:00"; };
links = ( {
	name = "smsc"; host = "127.0.0.1"; port = $2;
	system_id = "skillgw"; password = "secret1"; bind = "transceiver";
	window = 100; max_tps = 0; registered_delivery = false;
	enquire_link = 30; inactivity = 120; response_timeout = 10;
	reconnect_min = 1; reconnect_max = 2; long_messages = "udh";
	default = true;
} );
EOF
}

# worker_data DIR WORKERS: in DIR the demo data set of WORKERS workers
# (scripts/load-demo.sh: gen-demo.js + skillctl import) as base.db, and
# the mobile numbers of workers.csv shuffled with a fixed seed as
# numbers.txt; reused when DIR holds them for the same count. Needs $ROOT
# (the checkout). 1 when the load failed (its log tail said).
worker_data() {
	if [ -s "$1/base.db" ] && [ -s "$1/numbers.txt" ] &&
	   [ "$(cat "$1/workers" 2>/dev/null)" = "$2" ]; then
		echo "  data: reusing $1 ($2 workers)"
		return 0
	fi
	rm -f "$1/base.db"* "$1/numbers.txt" "$1/workers"
	cat >"$1/load.conf" <<EOF
gateway: { database = "$1/base.db"; glossary = "$ROOT/conf/glossary.conf"; vty: { port = 0; }; };
links = ( { name = "none"; host = "127.0.0.1"; password = "x"; default = true; } );
EOF
	t0=$(now)
	if ! WORKERS=$2 SKILLCTL=$B/skillctl sh "$ROOT/scripts/load-demo.sh" \
		"$1/load.conf" "$1/csv" >"$1/load.log" 2>&1; then
		echo "  loading the demo data failed:"
		tail -5 "$1/load.log" | sed 's/^/    /'
		return 1
	fi
	echo "  data: $2 workers generated and imported in $(elapsed "$t0" "$(now)" 1) s" \
		"(load-demo.sh), database $(du -m "$1/base.db" | cut -f1) MiB"
	worker_numbers "$1"
	rm -rf "$1/csv"
	echo "$2" >"$1/workers"
}

# worker_numbers DIR: DIR/numbers.txt and DIR/with_subsidy from DIR/csv.
worker_numbers() {
	# senders: column 3 (手机号) of workers.csv, shuffled with a fixed
	# seed; the first three columns are never quoted
	awk -F, 'BEGIN { srand(1) } NR > 1 && $3 != "" { printf "%.9f\t%s\n", rand(), $3 }' \
		"$1/csv/workers.csv" | sort -k1,1 | cut -f2 >"$1/numbers.txt"
	# senders with subsidy rows (their reply lists them; the others are
	# told how to apply): join on the resident ID
	awk -F, 'FNR == 1 { f++; next }
		f == 1 { has[$2] = 1; next }
		$3 != "" && ($1 in has) { n++ }
		END { print n + 0 }' "$1/csv/subsidies.csv" "$1/csv/workers.csv" \
		>"$1/with_subsidy"
}
