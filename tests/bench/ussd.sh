#!/bin/sh
# ussd.sh - USSD dialogue steps through skillgw: steps per second and the
# p50/p99 latency of a step (request in -> screen submitted), alone and
# while a bulk send is running. Prints figures; not a pass/fail test.
#
#   sh tests/bench/ussd.sh BUILD_DIR        (tests/bench/run.sh runs it)
#
# Needs BUILD_DIR/skillgw, skillctl and ussd_load (tests/bench/ussd_load.c)
# and the sqlite3 CLI. A database with BENCH_USSD_WORKERS workers (default
# 10000) bound to the numbers 8613600000000.., a catalogue of 5 regions x
# 4 occupations x 5 courses and a subsidy per worker is made with SQL;
# ussd_load keeps BENCH_USSD_CONC dialogues (default 200) going through
# the menus (main, subsidies, back, enrolment: regions, groups, courses,
# a course's detail, back, main; then hangs up and dials again), 2 s of
# warm-up, BENCH_USSD_SECS (default 10) measured.
#
# Run 1: the most it does: a closed loop, each dialogue's next step as
# soon as its screen is in. Run 2: latency at BENCH_USSD_RATE steps a
# second (default 5000, open loop: a fixed schedule). Run 3: the same
# while BENCH_USSD_BULK (default 1000000) bulk MTs queued before the start
# are sent to the same SMSC as fast as the gateway can (window 100, no TPS
# cap) during the whole measurement. Run 4: the same while a notice
# campaign to BENCH_USSD_CAMPAIGN more workers (default 300000) runs, started
# before the gateway (the scheduler's steps share the loop with the
# dialogues). (USSD screens go ahead of every SMS: in run 1 a bulk send
# would get nothing.) The gateway runs with its
# default durability, "power-loss" (an fsync per commit);
# BENCH_USSD_DURABILITY=crash runs it without. Everything runs on 127.0.0.1 in a temporary
# directory; BENCH_KEEP=1 keeps it.
set -u

B=${1:-build}
WORKERS=${BENCH_USSD_WORKERS:-10000}
CONC=${BENCH_USSD_CONC:-200}
RATE=${BENCH_USSD_RATE:-5000}
SECS=${BENCH_USSD_SECS:-10}
BULK=${BENCH_USSD_BULK:-1000000}
CAMPAIGN=${BENCH_USSD_CAMPAIGN:-300000}
FIRST=8613600000000
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

. "$ROOT/tests/bench/lib.sh"
bench_init ussd-bench GW_PID LOAD_PID
need skillgw skillctl ussd_load || exit 1
need_cmd sqlite3 || exit 1

# write_conf PORT
write_conf() {
	cat >"$T/skillgw.conf" <<EOF
gateway: { database = "$T/skillgw.db"; log_level = "notice";
	glossary = "$ROOT/conf/glossary.conf";
	durability = "${BENCH_USSD_DURABILITY:-power-loss}";
	vty: { address = "127.0.0.1"; port = 0; }; };
queue: { max_attempts = 8; retry_min = 1; retry_max = 5; batch = 512;
	poll_ms = 100; max_parts = 8; };
commands: { enabled = false; messages = "$ROOT/conf/messages.conf";
	signature = "【揭阳人社】"; hotline = "12333"; };
ussd: { enabled = true; menu = "$ROOT/conf/ussd_menu.conf";
	max_sessions = 100000; };
notices: { quiet_start = "00:00"; quiet_end = "00:00"; optout_hint = "回TD退订"; };	# no quiet hours: the bulk send runs whatever the hour
links: ( { name = "load"; host = "127.0.0.1"; port = $1;
	system_id = "skillgw"; password = "secret1"; window = 100; max_tps = 0;
	registered_delivery = false; default = true; } );
EOF
}

# The schema from the daemon's own code, then the data by SQL.
make_db() {
	write_conf 1
	"$B/skillctl" -c "$T/skillgw.conf" queue >/dev/null 2>&1
	sql <<EOF
INSERT INTO occupation (code, name, grp, created_at, updated_at) VALUES
 ('E1', '电工', '制造', 0, 0), ('W1', '焊工', '制造', 0, 0),
 ('C1', '中式烹调师', '服务', 0, 0), ('N1', '育婴员', '服务', 0, 0);
INSERT INTO institution (code, name, region, catalogued, created_at, updated_at)
 SELECT 'I' || code, name || '职业技术学校', code, 1, 0, 0 FROM region;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 4)
INSERT INTO course (code, name, occupation, level, training_type, institution,
 region, start_date, end_date, enrol_deadline, capacity, subsidy_fen, status,
 created_at, updated_at)
 SELECT printf('%d%d%d', r.rn, o.rn, k.i), o.name || '培训班第' || (k.i + 1) || '期',
  o.code, 5, 'employment', 'I' || r.code, r.code,
  date('now', '+40 days'), date('now', '+70 days'), date('now', '+30 days'),
  1000, 120000, 'open', 0, 0
 FROM (SELECT code, row_number() OVER (ORDER BY code) + 1 rn FROM region) r,
  (SELECT code, name, row_number() OVER (ORDER BY code) rn FROM occupation) o, k;
WITH RECURSIVE w(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM w WHERE i < $WORKERS - 1)
INSERT INTO worker (id, id_number, name, msisdn, region, birth_date, bound_by,
 created_at, updated_at)
 SELECT i + 1, printf('4452811990%08d', i), '工人' || i, printf('%d', $FIRST + i),
  '445281', '1990-01-01', 'roster', 0, 0 FROM w;
INSERT INTO subsidy (reference, worker_id, kind, occupation, level, amount_fen,
 status, applied_date, decided_date, paid_date, year, created_at, updated_at)
 SELECT 'S' || id, id, 'training', 'C1', 5, 90000, 'paid', '2025-06-01',
  '2025-06-20', '2025-07-01', 2025, 0, 0 FROM worker;
ANALYZE;
EOF
	cp "$T/skillgw.db" "$T/base.db"
}

# bulk COUNT: COUNT queued single-part GSM MTs of a campaign-less bulk send.
bulk() { queue_mts "$1" 'skillgw bulk notice'; }

# campaign COUNT: COUNT more workers (numbers 86139..) and a running notice
# campaign to the whole roster.
campaign() {
	sql "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $1)
INSERT INTO worker (id_number, name, msisdn, region, birth_date, bound_by,
 created_at, updated_at) SELECT 'C' || i, '张小明', printf('86139%08d', i),
 '445281', '1990-01-01', 'roster', 0, 0 FROM c;"
	"$B/skillctl" -c "$T/skillgw.conf" notice create --name bench \
		--text "{name}您好，新一期技能培训开始报名。" >/dev/null &&
	"$B/skillctl" -c "$T/skillgw.conf" notice start 1 >/dev/null
}

# run LABEL [USSD_LOAD ARGS]: one measurement on a copy of the base
# database; LABEL bulk queues the bulk send first.
run() {
	label=$1; shift
	cp "$T/base.db" "$T/skillgw.db"
	rm -f "$T/skillgw.db-wal" "$T/skillgw.db-shm" "$T/port" "$T/gw.pid"
	[ "$label" = bulk ] && bulk "$BULK"
	[ "$label" = campaign ] && campaign "$CAMPAIGN"
	"$B/ussd_load" -p 0 -f "$T/port" -b "$FIRST" -n "$WORKERS" -c "$CONC" \
		-w 2 -d "$SECS" -g "$T/gw.pid" -q "$@" >"$T/load.out" 2>"$T/load.err" &
	LOAD_PID=$!
	wait_file "$T/port" "$LOAD_PID"
	write_conf "$(cat "$T/port")"
	"$B/skillgw" -c "$T/skillgw.conf" >"$T/skillgw-$label.log" 2>&1 &
	GW_PID=$!
	echo "$GW_PID" >"$T/gw.pid"
	wait "$LOAD_PID"
	rc=$?
	LOAD_PID=""
	if [ $rc -ne 0 ]; then
		echo "  ussd_load failed:"; sed 's/^/    /' "$T/load.err"
		tail -5 "$T/skillgw-$label.log" | sed 's/^/    /'
	fi
	sed 's/^/  /' "$T/load.out"
	if [ "$label" = bulk ] || [ "$label" = campaign ]; then
		echo "  bulk rows by state after the run: $(sql "SELECT group_concat(state || ':' || n, ' ')
			FROM (SELECT state, count(*) n FROM mt GROUP BY state);")"
	fi
	kill -TERM "$GW_PID" 2>/dev/null
	wait "$GW_PID" 2>/dev/null
	GW_PID=""
}

echo "== USSD dialogues (ussd_load, $CONC at once, $WORKERS numbers, ${SECS} s) =="
make_db
echo "USSD alone, as fast as it goes:"
run max
echo "USSD alone at $RATE steps/s:"
run alone -r "$RATE"
echo "USSD at $RATE steps/s while $BULK bulk MTs are being sent:"
run bulk -r "$RATE"
echo "USSD at $RATE steps/s while a notice campaign to $CAMPAIGN workers is being sent:"
run campaign -r "$RATE"
exit 0
