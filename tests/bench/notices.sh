#!/bin/sh
# notices.sh - benchmarks of notice campaigns; prints figures, is not a
# pass/fail test. tests/bench/run.sh calls it (make bench).
#
#   sh tests/bench/notices.sh BUILD_DIR
#
#  1. BUILD_DIR/bench_notice: the preview count and the expansion of a
#     campaign to BENCH_NOTICE_N workers (default 1000000) into queue rows,
#     with the length of the scheduler's steps.
#  2. Bulk send rate when the link allows it: skillgw against smsc_sink
#     (max_tps 0, window 100, notices.bulk_share 100) sends a campaign to a
#     roster of BENCH_NOTICE_SEND workers (default 200000); the clock runs
#     from skillctl notice start until every recipient's row is submitted.
#  3. Interactive latency during a campaign: tests/bench/notice_latency.js
#     (node, the SMSC simulator): SMS command round trips before and while
#     a campaign runs at 80% of max_tps, p50/p99/max.
#
# Everything runs on 127.0.0.1 in a temporary directory; every process it
# starts is stopped on exit.
set -u

B=${1:-build}
N=${BENCH_NOTICE_N:-1000000}
SEND=${BENCH_NOTICE_SEND:-200000}

. "$(dirname "$0")/lib.sh"
bench_init bench-notice GW_PID SINK_PID

echo "== notice campaigns =="
if [ -x "$B/bench_notice" ]; then
	"$B/bench_notice" "$N" | sed 's/^/  /'
else
	echo "  $B/bench_notice not built: skipped"
fi

# ---- 2. bulk send rate -------------------------------------------------------
start_sink "$T"
cat >"$T/skillgw.conf" <<EOF
gateway: { database = "$T/skillgw.db"; glossary = "$(pwd)/conf/glossary.conf";
	log_level = "notice"; vty: { port = 0; }; };
queue: { batch = 512; poll_ms = 100; };
commands: { signature = "【揭阳人社】"; messages = "$(pwd)/conf/messages.conf"; };
notices: { optout_hint = "回TD退订"; bulk_share = 100; quiet_start = "00:00";
	quiet_end = "00:00"; };
links = ( { name = "sink"; host = "127.0.0.1"; port = $PORT;
	password = "secret1"; window = 100; max_tps = 0; default = true;
	registered_delivery = false; } );
EOF
"$B/skillctl" -c "$T/skillgw.conf" queue >/dev/null || exit 1
sql "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $SEND)
INSERT INTO worker (id, id_number, name, msisdn, region, birth_date, bound_by,
 created_at, updated_at) SELECT i, 'B' || i, '张小明', printf('86139%08d', i),
 '445281', '1990-01-01', 'roster', 0, 0 FROM c;"
"$B/skillgw" -c "$T/skillgw.conf" >"$T/skillgw.log" 2>&1 &
GW_PID=$!
sleep 1
"$B/skillctl" -c "$T/skillgw.conf" notice create --name bench \
	--text "{name}您好，新一期技能培训开始报名，回KC查课程。" >/dev/null || exit 1
t0=$(now)
"$B/skillctl" -c "$T/skillgw.conf" notice start 1 >/dev/null || exit 1
last=-1; still=0
while :; do
	left=$(sql "SELECT ($SEND - (SELECT count(*) FROM mt WHERE state >= 2));")
	[ "$left" = 0 ] && break
	if [ "$left" = "$last" ]; then still=$((still + 1)); else still=0; last=$left; fi
	if [ $still -ge 300 ] || ! kill -0 "$GW_PID" 2>/dev/null; then
		echo "  bulk send: stalled with $left left"; tail -3 "$T/skillgw.log"
		break
	fi
	sleep 0.1
done
t=$(elapsed "$t0" "$(now)" 2)
echo "bulk send, link unlimited (smsc_sink, window 100): $SEND notices in $t s = $(rate "$SEND" "$t")/s"
kill -TERM "$GW_PID" 2>/dev/null; wait "$GW_PID" 2>/dev/null; GW_PID=""
kill -TERM "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; SINK_PID=""

# ---- 3. interactive latency during a campaign -------------------------------
if command -v node >/dev/null && [ -d tests/node_modules/smpp ]; then
	SKILLGW_BIN="$B/skillgw" SKILLCTL_BIN="$B/skillctl" \
		node tests/bench/notice_latency.js | sed 's/^//'
else
	echo "interactive latency: node or tests/node_modules missing: skipped"
fi
exit 0
