#!/bin/sh
# demo.sh BUILD_DIR [HANDSET OPTIONS...] - the demo behind "make run".
#
# 1. Demo data: the first time (no database or no demo-numbers.txt in
#    var/), scripts/load-demo.sh generates the data set into var/demo/ and
#    imports it into var/skillgw.db. Its dates are relative to the day it is
#    generated, so the demo numbers show what README.md says on that day.
#    Later runs reuse the database as it is, and say so when the day has
#    changed since (courses close as the days pass).
# 2. A handset in the terminal (tests/sim/handset.js), which is also the
#    carrier's SMSC simulator, listens on 127.0.0.1:2775 (the port of the
#    "sim" link in conf/skillgw.conf). When that port or the VTY port is
#    taken, free ones are used and a copy of the configuration with them is
#    written next to it (conf/.demo-PID.conf, so that relative paths in it
#    keep their meaning) and removed at the end.
# 3. skillgw runs in the background, its log in var/skillgw.log. The
#    bureau's API and console listen on 127.0.0.1:8080 (another free port
#    when it is taken); the demo database gets the account admin with the
#    password skillgw-demo (the demo's only: a real database gets its
#    accounts from skillctl user add), and the address and the login are
#    printed.
# 4. The handset runs in the foreground. When it ends (quit, Ctrl-D, the end
#    of a --script), everything this script started is stopped; the
#    database stays for inspection.
#
# Arguments after BUILD_DIR go to the handset: --script FILE runs a script
# instead of the terminal (exit status of the handset is this script's).
# Environment: SKILLGW_DEMO_VAR (default var/ of the project) holds the
# database, data and log; SKILLGW_DEMO_SMSC_PORT and SKILLGW_DEMO_VTY_PORT
# choose the ports (0: any free port); SKILLGW_DEMO_TODAY=YYYY-MM-DD runs
# the demo as of that day: skillgw, skillctl and the data set's dates
# (generated for that day when there is no data yet) get it, with
# SKILLGW_CLOCK_OFFSET_MS moving their clock by whole days. Default: the
# real day (in Asia/Shanghai). SKILLGW_DEMO_API_PORT chooses the API's
# port. SKILLGW_DEMO_QUIET=HH:MM-HH:MM sets other quiet hours (00:00-00:00:
# none), so that a notification shows at once whatever the time. The
# handset gets SKILLGW_DEMO_DATA, the directory of the data set.
# SKILLGW_DEMO_TIME=HH:MM moves the clock of skillgw and skillctl to that
# time of the day (China time), e.g. 10:00 to see the attendance check of
# the demo's course 2005, which asks only during its class hours.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)

B=${1:-build}
[ $# -gt 0 ] && shift
case $B in /*) BIN=$B ;; *) BIN=$ROOT/$B ;; esac
VAR=${SKILLGW_DEMO_VAR:-$ROOT/var}
CONF=$ROOT/conf/skillgw.conf
DEMO_USER=admin
DEMO_PASSWORD=skillgw-demo

say() { printf 'demo: %s\n' "$*" || true; }
fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }
# a path as short as it can be said from the project root
rel() { case $1 in "$ROOT"/*) printf '%s' "${1#"$ROOT"/}" ;; *) printf '%s' "$1" ;; esac; }

# ---- what must be there --------------------------------------------------------
for f in skillgw skillctl; do
	[ -x "$BIN/$f" ] || fail "no $(rel "$BIN")/$f: build first (make all, or make run which does everything)"
done
command -v node >/dev/null 2>&1 || fail "node is not installed: sh scripts/deps.sh installs it"
[ -d tests/node_modules/smpp ] ||
	fail "the npm package smpp is missing: sh scripts/deps.sh installs it (cd tests && npm ci)"
mkdir -p "$VAR"
case $VAR in /*) ;; *) VAR=$(cd "$VAR" && pwd) ;; esac
# one demo per database: two gateways would share its queue
if [ -f "$VAR/demo.pid" ] && kill -0 "$(cat "$VAR/demo.pid")" 2>/dev/null; then
	fail "a demo is already running on $(rel "$VAR") (pid $(cat "$VAR/demo.pid")): quit it first, or set SKILLGW_DEMO_VAR to another directory"
fi

# ---- ports -----------------------------------------------------------------------
# The "port" setting inside the vty group, and the first one inside links.
conf_port() { # vty|links|api
	awk -v want="$1" '
		/^[ \t]*#/ { next }
		/^[ \t]*vty[ \t]*[:=]/ { grp = "vty" }
		/^[ \t]*links[ \t]*=/ { grp = "links" }
		/^api[ \t]*[:=]/ { grp = "api" }
		grp == want && /^[ \t]*port[ \t]*=/ {
			sub(/^[ \t]*port[ \t]*=[ \t]*/, ""); sub(/[^0-9].*$/, ""); print; exit
		}' "$CONF"
}

# The port given when it is free on 127.0.0.1, else any free one.
free_port() {
	node -e '
		const net = require("net");
		const take = (p) => {
			const s = net.createServer();
			s.once("error", () => take(0));
			s.listen(p, "127.0.0.1", () => {
				const q = s.address().port;
				s.close(() => process.stdout.write(String(q)));
			});
		};
		take(Number(process.argv[1]));' "$1"
}

CONF_SMSC_PORT=$(conf_port links)
CONF_VTY_PORT=$(conf_port vty)
CONF_API_PORT=$(conf_port api)
CONF_SMSC_PORT=${CONF_SMSC_PORT:-2775}
CONF_VTY_PORT=${CONF_VTY_PORT:-4260}
SMSC_PORT=$(free_port "${SKILLGW_DEMO_SMSC_PORT:-$CONF_SMSC_PORT}")
VTY_PORT=$CONF_VTY_PORT
if [ "$CONF_VTY_PORT" != 0 ] || [ -n "${SKILLGW_DEMO_VTY_PORT:-}" ]; then
	VTY_PORT=$(free_port "${SKILLGW_DEMO_VTY_PORT:-$CONF_VTY_PORT}")
	[ "$VTY_PORT" != "$SMSC_PORT" ] || VTY_PORT=$(free_port 0)
fi
API_PORT=$CONF_API_PORT
if [ -n "$CONF_API_PORT" ]; then
	API_PORT=$(free_port "${SKILLGW_DEMO_API_PORT:-$CONF_API_PORT}")
	while [ "$API_PORT" = "$SMSC_PORT" ] || [ "$API_PORT" = "$VTY_PORT" ]; do
		API_PORT=$(free_port 0)
	done
fi

# ---- cleanup ----------------------------------------------------------------------
GW_PID=
TMPCONF=
cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	trap '' PIPE	# the terminal may be gone: stop what we started all the same
	if [ -n "$GW_PID" ] && kill -0 "$GW_PID" 2>/dev/null; then
		kill -TERM "$GW_PID" 2>/dev/null || true
		n=0
		while kill -0 "$GW_PID" 2>/dev/null && [ $n -lt 100 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		if kill -0 "$GW_PID" 2>/dev/null; then
			say "skillgw did not stop within 10 s: killing it"
			kill -KILL "$GW_PID" 2>/dev/null || true
		fi
		wait "$GW_PID" 2>/dev/null || true
	fi
	[ -z "$TMPCONF" ] || rm -f "$TMPCONF"
	rm -f "$VAR/demo.pid"
	if [ -n "$GW_PID" ]; then
		say "stopped. The database stays: $(rel "$DB") (sqlite3 $(rel "$DB")); the gateway's log: $(rel "$VAR/skillgw.log")"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE
echo $$ >"$VAR/demo.pid"

# ---- configuration ------------------------------------------------------------------
CFG=$CONF
DB=$VAR/skillgw.db
QUIET=${SKILLGW_DEMO_QUIET:-}
case $QUIET in ''|[0-9][0-9]:[0-9][0-9]-[0-9][0-9]:[0-9][0-9]) ;;
*) fail "SKILLGW_DEMO_QUIET=$QUIET: give quiet hours as HH:MM-HH:MM" ;; esac
if [ "$SMSC_PORT" != "$CONF_SMSC_PORT" ] || [ "$VTY_PORT" != "$CONF_VTY_PORT" ] ||
   [ "$API_PORT" != "$CONF_API_PORT" ] || [ -n "${SKILLGW_DEMO_VAR:-}" ] ||
   [ -n "$QUIET" ]; then
	[ -z "$QUIET" ] || say "quiet hours $QUIET (SKILLGW_DEMO_QUIET)"
	if [ "$SMSC_PORT" != "$CONF_SMSC_PORT" ]; then
		if [ -n "${SKILLGW_DEMO_SMSC_PORT:-}" ]; then
			say "the simulator uses port $SMSC_PORT (SKILLGW_DEMO_SMSC_PORT)"
		else
			say "port $CONF_SMSC_PORT is taken: the simulator uses $SMSC_PORT"
		fi
	fi
	if [ "$VTY_PORT" != "$CONF_VTY_PORT" ]; then
		if [ -n "${SKILLGW_DEMO_VTY_PORT:-}" ]; then
			say "the VTY uses port $VTY_PORT (SKILLGW_DEMO_VTY_PORT)"
		else
			say "VTY port $CONF_VTY_PORT is taken: the VTY uses $VTY_PORT"
		fi
	fi
	if [ "$API_PORT" != "$CONF_API_PORT" ]; then
		if [ -n "${SKILLGW_DEMO_API_PORT:-}" ]; then
			say "the API uses port $API_PORT (SKILLGW_DEMO_API_PORT)"
		else
			say "port $CONF_API_PORT is taken: the API uses $API_PORT"
		fi
	fi
	TMPCONF=$ROOT/conf/.demo-$$.conf
	awk -v smsc="$SMSC_PORT" -v vty="$VTY_PORT" -v api="$API_PORT" -v db="$DB" \
	    -v qs="${QUIET%-*}" -v qe="${QUIET#*-}" '
		/^[ \t]*#/ { print; next }
		/^[ \t]*vty[ \t]*[:=]/ { grp = "vty" }
		/^[ \t]*links[ \t]*=/ { grp = "links" }
		/^api[ \t]*[:=]/ { grp = "api" }
		grp == "api" && !da && api != "" && /^[ \t]*port[ \t]*=/ { sub(/=[ \t]*[0-9]+/, "= " api); da = 1 }
		grp == "vty" && !dv && /^[ \t]*port[ \t]*=/ { sub(/=[ \t]*[0-9]+/, "= " vty); dv = 1 }
		grp == "links" && !dl && /^[ \t]*port[ \t]*=/ { sub(/=[ \t]*[0-9]+/, "= " smsc); dl = 1 }
		/^[ \t]*database[ \t]*=/ { sub(/=.*$/, "= \"" db "\";"); dd = 1 }
		qs != "" && /^[ \t]*quiet_start[ \t]*=/ { sub(/=.*$/, "= \"" qs "\";") }
		qe != "" && /^[ \t]*quiet_end[ \t]*=/ { sub(/=.*$/, "= \"" qe "\";") }
		{ print }
		END { if (!dl || !dd) exit 3 }' "$CONF" >"$TMPCONF" ||
		fail "cannot write the ports into a copy of $(rel "$CONF") (no port in links or no gateway.database)"
	CFG=$TMPCONF
fi

if ! "$BIN/skillgw" -t -c "$CFG" >"$VAR/config-check.txt" 2>&1; then
	cat "$VAR/config-check.txt" >&2
	fail "the configuration does not pass skillgw -t"
fi
rm -f "$VAR/config-check.txt"

# ---- the day ---------------------------------------------------------------------------
# What is open, past its deadline or "this year" depends on the day: the
# gateway, skillctl and the data set must agree on it.
if [ -n "${SKILLGW_DEMO_TODAY:-}" ]; then
	SKILLGW_CLOCK_OFFSET_MS=$(node scripts/gen-demo.js --today "$SKILLGW_DEMO_TODAY" --clock-offset) ||
		fail "SKILLGW_DEMO_TODAY=$SKILLGW_DEMO_TODAY: want a date YYYY-MM-DD"
	export SKILLGW_CLOCK_OFFSET_MS
	say "the demo runs as of $SKILLGW_DEMO_TODAY (SKILLGW_DEMO_TODAY): the clock of skillgw and skillctl is moved by $((SKILLGW_CLOCK_OFFSET_MS / 86400000)) days"
fi
if [ -n "${SKILLGW_DEMO_TIME:-}" ]; then
	SKILLGW_CLOCK_OFFSET_MS=$(node scripts/gen-demo.js ${SKILLGW_DEMO_TODAY:+--today "$SKILLGW_DEMO_TODAY"} \
		--clock-offset --at "$SKILLGW_DEMO_TIME") ||
		fail "SKILLGW_DEMO_TIME=$SKILLGW_DEMO_TIME: want a time of day HH:MM"
	export SKILLGW_CLOCK_OFFSET_MS
	say "the demo runs at $SKILLGW_DEMO_TIME China time (SKILLGW_DEMO_TIME)"
fi
DAY=$(node scripts/gen-demo.js --print-today) || fail "scripts/gen-demo.js cannot tell the day"

# ---- demo data ------------------------------------------------------------------------
DEMO=$VAR/demo
if [ -f "$DB" ] && [ -f "$DEMO/demo-numbers.txt" ]; then
	say "demo data: already in $(rel "$DB") (delete $(rel "$VAR") to start afresh)"
	made=$(sed -n 's/^# today \([0-9-]*\):.*/\1/p' "$DEMO/demo-numbers.txt" | head -n 1)
	if [ -n "$made" ] && [ "$made" != "$DAY" ]; then
		say "its dates are relative to $made, but today is $DAY: the demo numbers may not show"
		say "what README.md says (2001's enrolment ends a few days after $made). Delete $(rel "$VAR")"
		say "to generate it for today, or run the demo as of its day: SKILLGW_DEMO_TODAY=$made make run"
	fi
elif [ -f scripts/load-demo.sh ]; then
	say "demo data: generating and importing it into $(rel "$DB") (once; dates relative to $DAY)"
	PATH=$BIN:$PATH SKILLCTL=$BIN/skillctl SKILLGW=$BIN/skillgw TODAY=${SKILLGW_DEMO_TODAY:-} \
		sh scripts/load-demo.sh "$CFG" "$DEMO" ||
		fail "scripts/load-demo.sh failed: the demo data is not loaded"
else
	say "scripts/load-demo.sh is not there yet: the demo starts with an empty database"
	say "(the gateway creates $(rel "$DB")); numbers on the roster are answered once data is imported"
fi
NUMBERS=
[ ! -f "$DEMO/demo-numbers.txt" ] || NUMBERS=$DEMO/demo-numbers.txt

# ---- the console's login (the demo database only) --------------------------
if [ -n "$API_PORT" ] &&
   ! "$BIN/skillctl" -c "$CFG" --json user list 2>/dev/null | grep -q "\"name\":\"$DEMO_USER\""; then
	printf '%s\n' "$DEMO_PASSWORD" |
		"$BIN/skillctl" -c "$CFG" user add "$DEMO_USER" --role admin \
			--password-stdin --operator demo >/dev/null ||
		fail "cannot make the demo's console account"
fi

# ---- the gateway and the handset ---------------------------------------------------
"$BIN/skillgw" -c "$CFG" >"$VAR/skillgw.log" 2>&1 </dev/null &
GW_PID=$!
say "skillgw started (pid $GW_PID, config $(rel "$CFG"), log $(rel "$VAR/skillgw.log"))"
if [ "$VTY_PORT" != 0 ]; then
	say "its VTY: telnet 127.0.0.1 $VTY_PORT (show smsc, show queue, show stats)"
fi
if [ -n "$API_PORT" ]; then
	say "the console: http://127.0.0.1:$API_PORT/ (log in as $DEMO_USER / $DEMO_PASSWORD, the demo's account);"
	say "the API: http://127.0.0.1:$API_PORT/api/v1/openapi.json, metrics: http://127.0.0.1:$API_PORT/metrics"
fi
say "from another terminal: $(rel "$BIN")/skillctl -c $(rel "$CFG") send --to 13800138000 --text 你好"
echo

rc=0
# ctl lines of a script may name the demo's files: $SKILLGW_DEMO_DATA/...
SKILLGW_DEMO_DATA=$DEMO
export SKILLGW_DEMO_DATA
node tests/sim/handset.js --port "$SMSC_PORT" \
	--skillctl "$BIN/skillctl" --config "$CFG" \
	--watch-pid "$GW_PID" --gateway-log "$VAR/skillgw.log" \
	${NUMBERS:+--numbers "$NUMBERS"} "$@" || rc=$?
exit $rc
