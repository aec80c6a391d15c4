#!/bin/sh
# peers.sh - skillgw and Kannel 1.4.5 side by side: the same workload
# through each, one after the other in one run, against the same C SMSC
# tools on loopback (make bench-peers). Prints figures; not a pass/fail
# test.
#
#   sh tests/bench/peers.sh BUILD_DIR
#
# Needs BUILD_DIR/skillgw, skillctl, smsc_sink, mo_load and sendsms_load,
# sqlite3 and node (the demo data), and Debian's kannel package (bearerbox,
# smsbox): when it is missing it is installed with apt-get if this runs as
# root and the package can be had, else the script says so and exits 0.
#
#  MO -> reply: mo_load (the SMSC) sends MOs keeping a window of
#     BENCH_PEERS_WINDOW (100) deliver_sm awaiting their deliver_sm_resp,
#     3 s of warm-up, then BENCH_PEERS_SECS (10) measured; it counts and
#     times the replies (the first submit_sm to the MO's sender) and the
#     CPU of the gateway's processes. A gateway that acknowledges MOs
#     faster than it answers them builds a backlog (the reply latency
#     shows it): each phase's replies are awaited up to 30 s, so that the
#     backlog is worked off, and counted, within the phase that made it. Paths: Kannel, an sms-service that
#     answers every MO with a static text; skillgw, the help command BZ on
#     an empty database (the cheapest answer of each); skillgw, BT (the
#     subsidy status) on the demo data set of BENCH_PEERS_WORKERS
#     (1000000) workers, as sms_roundtrip.sh builds it (BENCH_PEERS_CACHE=
#     DIR keeps it for the next run), which Kannel cannot answer without
#     an application behind it.
#  MT: BENCH_PEERS_MT (100000) messages to smsc_sink (window 100): Kannel
#     takes them through smsbox's sendsms HTTP interface from sendsms_load
#     (BENCH_PEERS_CONC (50) keep-alive connections, a request awaiting
#     its answer on each); skillgw from `skillctl send --file` (one
#     transaction) while the daemon runs. The clock runs from the start of
#     queuing to the last submit_sm at the sink. BENCH_PEERS_MT_WARM
#     (10000) messages go the same way first, unmeasured: both warm up
#     (a cold Kannel takes its first 20,000 at half speed).
#
# For each path: messages a second, CPU microseconds a message (utime +
# stime of bearerbox and smsbox, of skillgw, plus skillctl's own for the
# MT path; the load tools are not counted), and the ratios skillgw /
# Kannel. Kannel keeps nothing on disk here (no store, DLRs in memory;
# BENCH_PEERS_KANNEL_STORE=file gives it its file store) while skillgw
# commits every message (durability power-loss: an fsync per group
# commit).
#
# Kannel is set up for speed, fairly: no DLR, log level 2 (warnings) in
# files and nothing on the console, max-pending-submits 100 (skillgw's
# window 100), sms-resend-freq 1 / sms-resend-retry 8 (skillgw's
# retry_min 1, max_attempts 8), no throughput cap. Everything listens on
# 127.0.0.1 only (admin-interface, smsbox-interface, sendsms-interface) on
# ports picked free at run time; it runs from its own configuration in the
# temporary directory, never the package's service. Every process started
# is ended by its PID on exit; BENCH_KEEP=1 keeps the directory (configs,
# logs); BENCH_STALL (60) seconds without progress abandon a path.
#
# Kannel traps met on the way (1.4.5, Debian 12):
#  - smsc smpp without system-type does not start ("Configuration file
#    doesn't specify system-type", then PANIC): set one.
#  - bearerbox and smsbox log at debug level to stderr unless -v is given
#    (the log-level of the configuration is the log file's only): -v 4.
#  - the box connection bearerbox <-> smsbox waits about 44 ms per message
#    when traffic is a request at a time (Nagle against delayed ACKs), so
#    a window of 100 MOs awaiting their *reply* caps Kannel near 2,300
#    replies/s whatever the CPU; a window on deliver_sm_resp (SMPP's own
#    window, used here) keeps the boxes busy.
#  - the package's init script starts a system bearerbox on install unless
#    policy-rc.d says no; this script installs with a policy-rc.d that
#    denies it when the machine has none, and never uses that service.
#  - log files are appended to, never truncated.
set -u

B=${1:-build}
WINDOW=${BENCH_PEERS_WINDOW:-100}
SECS=${BENCH_PEERS_SECS:-10}
WORKERS=${BENCH_PEERS_WORKERS:-1000000}
MT=${BENCH_PEERS_MT:-100000}
WARM=${BENCH_PEERS_MT_WARM:-10000}
CONC=${BENCH_PEERS_CONC:-50}
STALL=${BENCH_STALL:-60}
STORE=${BENCH_PEERS_KANNEL_STORE:-}
FIRST=8613900000000
MT_TEXT="skillgw bench message"
KANNEL_TEXT="Thank you, your message has been received."
DRAIN=30
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $B in /*) ;; *) B=$(pwd)/$B ;; esac

. "$ROOT/tests/bench/lib.sh"
bench_init bench-peers GW_PID SINK_PID LOAD_PID BB_PID SB_PID CL_PID
trap 'unpolicy; bench_cleanup' EXIT
echo "== skillgw and Kannel side by side (make bench-peers) =="
need skillgw skillctl smsc_sink mo_load sendsms_load || exit 1
need_cmd sqlite3 node || exit 1

# ---- Kannel -----------------------------------------------------------------

# kannel_install: 0 when bearerbox and smsbox are there (installed now if
# root can); 1 with a line that says why not.
kannel_install() {
	PATH=$PATH:/usr/sbin
	command -v bearerbox >/dev/null && command -v smsbox >/dev/null && return 0
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		echo "  kannel is not installed and this is not root with apt-get:" \
			"skipped (apt-get install kannel)"
		return 1
	fi
	echo "  installing Debian's kannel (its service is not started)"
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		POLICY=1
	fi
	apt_kannel || { timeout 300 apt-get update -qq >>"$T/apt.log" 2>&1; apt_kannel; }
	rc=$?
	unpolicy
	if [ $rc != 0 ] || ! command -v bearerbox >/dev/null; then
		echo "  apt-get install kannel failed: skipped"
		tail -3 "$T/apt.log" | sed 's/^/    /'
		return 1
	fi
	# a policy-rc.d of the machine's own may have let the service start:
	# it is stopped the package's way (this script never uses it)
	[ ! -x /etc/init.d/kannel ] || /etc/init.d/kannel stop >/dev/null 2>&1
	return 0
}

apt_kannel() {
	RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive \
		timeout 600 apt-get install -y -qq kannel >>"$T/apt.log" 2>&1
}

# The policy-rc.d kannel_install wrote goes, on exit too.
unpolicy() {
	[ -z "${POLICY:-}" ] || rm -f /usr/sbin/policy-rc.d
	POLICY=""
}

# kannel_conf DIR SMSC_PORT: DIR/kannel.conf for bearerbox and smsbox.
kannel_conf() {
	store=""
	[ "$STORE" = file ] &&
		store="store-type = file
store-location = \"$1/kannel.store\""
	cat >"$1/kannel.conf" <<EOF
group = core
admin-port = $K_ADMIN
admin-interface = 127.0.0.1
admin-password = bench
admin-allow-ip = "127.0.0.1"
smsbox-port = $K_BOX
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "$1/bearerbox.log"
log-level = 2
dlr-storage = internal
sms-resend-freq = 1
sms-resend-retry = 8
$store

group = smsc
smsc = smpp
smsc-id = sink
host = 127.0.0.1
port = $2
transceiver-mode = true
smsc-username = kannel
smsc-password = secret1
system-type = "VMA"
max-pending-submits = 100
enquire-link-interval = 30
reconnect-delay = 1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $K_BOX
sendsms-port = $K_SENDSMS
sendsms-interface = 127.0.0.1
log-file = "$1/smsbox.log"
log-level = 2

group = sendsms-user
username = bench
password = bench
max-messages = 1

group = sms-service
keyword = default
text = "$KANNEL_TEXT"
max-messages = 1
EOF
}

# kannel_start DIR SMSC_PORT: bearerbox, then smsbox once bearerbox
# listens for it; sets BB_PID, SB_PID and writes both to DIR/pids. 1 when
# one did not come up (its log tail said).
kannel_start() {
	rm -f "$1/pids"
	free_port K_ADMIN; free_port K_BOX; free_port K_SENDSMS
	kannel_conf "$1" "$2"
	kannel_box "$1" bearerbox "$K_BOX" || return 1
	BB_PID=$BOX_PID
	kannel_box "$1" smsbox "$K_SENDSMS" || return 1
	SB_PID=$BOX_PID
}

# kannel_box DIR BOX PORT: starts BOX on DIR/kannel.conf, adds its pid to
# DIR/pids (BOX_PID) and waits until it listens on PORT. 1 when it does
# not (its log tail said).
kannel_box() {
	"$2" -v 4 "$1/kannel.conf" >"$1/$2.out" 2>&1 &
	BOX_PID=$!
	if [ -s "$1/pids" ]; then
		echo "$(cat "$1/pids"),$BOX_PID" >"$1/pids"
	else
		echo "$BOX_PID" >"$1/pids"
	fi
	if ! wait_listen "$3" "$BOX_PID"; then
		echo "  $2 did not start:"
		tail -5 "$1/$2.log" "$1/$2.out" | sed 's/^/    /'
		return 1
	fi
}

kannel_stop() {
	stop "$SB_PID"; SB_PID=""
	stop "$BB_PID"; BB_PID=""
}

# ---- skillgw ----------------------------------------------------------------

# gw_conf DIR PORT COMMANDS: DIR/skillgw.conf, link window 100 to PORT,
# SMS commands on (true) or off, queue.poll_ms 100, an fsync per commit.
gw_conf() { cmd_conf "$1" "$2" 100 power-loss "$3"; }

# gw_start DIR: skillgw on DIR/skillgw.conf; sets GW_PID, DIR/gw.pid.
gw_start() {
	"$B/skillgw" -c "$1/skillgw.conf" >"$1/skillgw.log" 2>&1 &
	GW_PID=$!
	echo "$GW_PID" >"$1/gw.pid"
}

gw_stop() { stop "$GW_PID"; GW_PID=""; }

# gw_bz DIR PORT / gw_bt DIR PORT: skillgw answering SMS commands on an
# empty database / on a copy of the demo data set.
gw_bz() {
	gw_conf "$1" "$2" true
	"$B/skillctl" -c "$1/skillgw.conf" queue >/dev/null 2>&1
	gw_start "$1"
	cp "$1/gw.pid" "$1/pids"
}

gw_bt() {
	cp "$DATA/base.db" "$1/skillgw.db" || return 1
	gw_conf "$1" "$2" true
	gw_start "$1"
	cp "$1/gw.pid" "$1/pids"
}

# ---- the paths --------------------------------------------------------------

# mo_path NAME LABEL NUMBERS TEXT START STOP: one MO -> reply run in
# $T/NAME: mo_load listens, `START DIR PORT` brings the gateway up against
# it (its pids in DIR/pids), STOP ends it. The measured phase goes to
# $T/mo.tsv as: label, replies/s, p50, p99, CPU us a reply, SMS a reply.
mo_path() {
	D=$T/$1
	mkdir -p "$D"
	echo "-- MO -> reply: $2 --"
	"$B/mo_load" -p 0 -f "$D/port" -n "$3" -t "$4" -g "$D/pids" -l "$2" \
		-o "$D/phases.tsv" -B 30 -D "$DRAIN" -q \
		"W:$WINDOW:3" "w:$WINDOW:$SECS" >"$D/load.out" 2>"$D/load.err" &
	LOAD_PID=$!
	if ! wait_file "$D/port" "$LOAD_PID" 300; then
		echo "  mo_load did not start:"; sed 's/^/    /' "$D/load.err"
		return 1
	fi
	$5 "$D" "$(cat "$D/port")" && mo_wait "$D"
	$6
	stop "$LOAD_PID"; LOAD_PID=""
	grep -v '^end:' "$D/load.out" | sed 's/^/  /'
	grep -v '^$' "$D/load.err" | sed 's/^/  mo_load: /'
	awk -F'\t' -v l="$2" '$3 == 0 && $5 > 0 {
		printf "%s\t%s\t%s\t%s\t%s\t%.2f\n", l, $7, $8, $9, $13, $14 / $5
	}' "$D/phases.tsv" >>"$T/mo.tsv"
}

# mo_wait DIR: until mo_load has run its phases ("end:") or exited, at
# most the phases' length and a minute.
mo_wait() {
	i=0
	limit=$(( (3 + SECS + 2 * DRAIN + 60) * 10 ))
	while kill -0 "$LOAD_PID" 2>/dev/null && ! grep -q '^end:' "$1/load.out" &&
	      [ $i -lt $limit ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ $i -lt $limit ] || echo "  mo_load still running after $((limit / 10)) s: stopped"
}

# wait_bound DIR: until the sink logged a bind, at most 30 s.
wait_bound() {
	i=0
	until grep -q 'bound as' "$1/sink.err"; do
		if [ $i -ge 300 ]; then
			echo "  nothing bound to the sink in 30 s"
			return 1
		fi
		sleep 0.1; i=$((i + 1))
	done
}

# mt_warm DIR: until the sink has had the WARM submit_sm of the warm-up.
# 1 when nothing moved for STALL s.
mt_warm() {
	last=-1; still=0
	until [ "$(cat "$1/progress" 2>/dev/null || echo 0)" -ge "$WARM" ]; do
		n=$(cat "$1/progress" 2>/dev/null || echo 0)
		if [ "$n" = "$last" ]; then still=$((still + 1)); else still=0; last=$n; fi
		if [ $still -ge $((STALL * 10)) ]; then
			echo "  warm-up: no progress for $STALL s, $n of $WARM submit_sm"
			return 1
		fi
		sleep 0.1
	done
}

# mt_wait DIR: until the sink has had WARM + MT submit_sm; sets T_LAST (its
# clock at the last). 1 when nothing moved for STALL s.
mt_wait() {
	last=-1; still=0
	until grep -q 'the last at' "$1/sink.out"; do
		n=$(cat "$1/progress" 2>/dev/null || echo 0)
		if [ "$n" = "$last" ]; then still=$((still + 1)); else still=0; last=$n; fi
		if [ $still -ge $((STALL * 10)) ] || ! kill -0 "$SINK_PID" 2>/dev/null; then
			echo "  no progress for $STALL s: $n of $((WARM + MT)) submit_sm at the sink"
			return 1
		fi
		sleep 0.1
	done
	T_LAST=$(awk '/the last at/ { print $NF }' "$1/sink.out")
}

# mt_record LABEL T0 CPU: says the figures and adds a line to $T/mt.tsv:
# label, MT/s, CPU us a MT.
mt_record() {
	awk -v l="$1" -v t0="$2" -v t1="$T_LAST" -v c="$3" -v n="$MT" \
	    -v f="$T/mt.tsv" 'BEGIN {
		t = t1 - t0; r = t > 0 ? n / t : 0
		printf "%s\t%.0f\t%.1f\n", l, r, 1e6 * c / n >>f
		printf "  %d MT queued and submitted in %.3f s = %.0f MT/s;" \
			" CPU %.2f s = %.0f us a MT\n", n, t, r, c, 1e6 * c / n
	}'
}

mt_kannel() {
	D=$T/kannel-mt
	mkdir -p "$D"
	echo "-- MT: Kannel sendsms ($CONC keep-alive connections) --"
	SINK_LOG=1 start_sink "$D" -n "$((WARM + MT))" -s "$D/progress"
	if kannel_start "$D" "$PORT" && wait_bound "$D" && kannel_warm "$D"; then
		c0=$(cpu_s "$BB_PID" "$SB_PID")
		t0=$(now)
		"$B/sendsms_load" -p "$K_SENDSMS" -n "$MT" -b "$FIRST" -c "$CONC" \
			-t "$MT_TEXT" -T "$STALL" >>"$D/client.out" 2>>"$D/client.err" &
		CL_PID=$!
		if mt_wait "$D"; then
			c1=$(cpu_s "$BB_PID" "$SB_PID")
			mt_record "Kannel sendsms" "$t0" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')"
		fi
		wait "$CL_PID"; CL_PID=""
	fi
	kannel_stop
	stop "$SINK_PID"; SINK_PID=""
	cat "$D/client.out" "$D/client.err" "$D/sink.out" | sed 's/^/  /'
}

# kannel_warm DIR: the warm-up through sendsms, to other numbers.
kannel_warm() {
	[ "$WARM" -gt 0 ] || return 0
	"$B/sendsms_load" -p "$K_SENDSMS" -n "$WARM" -b "$((FIRST + MT))" \
		-c "$CONC" -t "$MT_TEXT" -T "$STALL" >"$D/client.out" 2>"$D/client.err" &&
		mt_warm "$1"
}

# skillctl_cpu FILE: user + system seconds from the children's line of
# the shell's `times` output in FILE.
skillctl_cpu() {
	awk 'function s(x, a) { split(x, a, "m"); sub(/s$/, "", a[2]); return a[1] * 60 + a[2] }
		NR == 2 { printf "%.3f", s($1) + s($2) }' "$1"
}

# gw_warm DIR: the warm-up through skillctl, to other numbers.
gw_warm() {
	[ "$WARM" -gt 0 ] || return 0
	"$B/skillctl" -c "$1/skillgw.conf" send --file "$1/warm.txt" \
		--text "$MT_TEXT" >/dev/null && mt_warm "$1"
}

mt_skillgw() {
	D=$T/skillgw-mt
	mkdir -p "$D"
	echo "-- MT: skillgw, skillctl send --file (queue.poll_ms 100) --"
	SINK_LOG=1 start_sink "$D" -n "$((WARM + MT))" -s "$D/progress"
	gw_conf "$D" "$PORT" false
	"$B/skillctl" -c "$D/skillgw.conf" queue >/dev/null 2>&1
	head -n "$MT" "$T/numbers.txt" >"$D/numbers.txt"
	tail -n +"$((MT + 1))" "$T/numbers.txt" | head -n "$WARM" >"$D/warm.txt"
	gw_start "$D"
	if wait_bound "$D" && gw_warm "$D"; then
		c0=$(cpu_s "$GW_PID")
		t0=$(now)
		("$B/skillctl" -c "$D/skillgw.conf" send --file "$D/numbers.txt" \
			--text "$MT_TEXT" >"$D/skillctl.out" 2>&1; times >"$D/times")
		if mt_wait "$D"; then
			c1=$(cpu_s "$GW_PID")
			ctl=$(skillctl_cpu "$D/times")
			echo "  skillctl: $(cat "$D/skillctl.out"), CPU $ctl s"
			mt_record "skillgw skillctl send" "$t0" \
				"$(awk -v a="$c0" -v b="$c1" -v c="$ctl" 'BEGIN { print b - a + c }')"
		fi
	fi
	gw_stop
	stop "$SINK_PID"; SINK_PID=""
	sed 's/^/  /' "$D/sink.out"
}

# ---- the tables -------------------------------------------------------------

# ratio FILE KANNEL_LABEL: for each skillgw line, its rate and CPU over
# Kannel's (columns 2 and CPU_COL).
ratio() {
	awk -F'\t' -v k="$2" -v cc="$3" '
		{ l[NR] = $1; r[NR] = $2; c[NR] = $cc }
		$1 == k { kr = $2; kc = $cc }
		END {
			if (!kr) exit
			for (i = 1; i <= NR; i++) if (l[i] != k)
				printf "  %s / %s: %.2fx the messages a second, %.2fx the CPU a message\n",
					l[i], k, r[i] / kr, (kc > 0 ? c[i] / kc : 0)
		}' "$1"
}

tables() {
	echo
	echo "== summary: skillgw and Kannel $(kannel_version), same SMSC tools, loopback =="
	echo "MO -> reply (mo_load, a window of $WINDOW deliver_sm, ${SECS} s measured):"
	printf "  %-30s %10s %11s %10s\n" path replies/s "CPU us/msg" "SMS/reply"
	[ -s "$T/mo.tsv" ] && awk -F'\t' '{
		printf "  %-30s %10.0f %11.0f %10.2f\n", $1, $2, $5, $6
	}' "$T/mo.tsv"
	[ -s "$T/mo.tsv" ] && ratio "$T/mo.tsv" "Kannel sms-service" 5
	echo "  CPU: bearerbox+smsbox for Kannel, skillgw for skillgw, per reply;" \
		"SMS/reply: submit_sm a reply (a long answer goes in parts)"
	echo "MT ($MT queued after $WARM unmeasured, window 100, until the last submit_sm at the sink):"
	printf "  %-30s %10s %11s\n" path MT/s "CPU us/msg"
	[ -s "$T/mt.tsv" ] && awk -F'\t' '{ printf "  %-30s %10.0f %11.0f\n", $1, $2, $3 }' "$T/mt.tsv"
	[ -s "$T/mt.tsv" ] && ratio "$T/mt.tsv" "Kannel sendsms" 3
	echo "  CPU: bearerbox+smsbox for Kannel (not sendsms_load); skillgw +" \
		"skillctl (which queues them) for skillgw"
	if [ "$STORE" = file ]; then
		echo "Disk: Kannel with its file store (store-type = file, no fsync a message);" \
			"skillgw commits every message (durability power-loss: an fsync per group commit)."
	else
		echo "Disk: Kannel keeps nothing on disk in this set-up (no store, DLRs in memory);" \
			"skillgw commits every message (durability power-loss: an fsync per group commit)."
	fi
}

kannel_version() {
	bearerbox --version 2>&1 | awk -F"[\`']" '/bearerbox version/ { print $2; exit }'
}

# ---- the run ----------------------------------------------------------------
kannel_install || exit 0
echo "  $(date -u '+%Y-%m-%d %H:%M:%S UTC'), git $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')," \
	"Kannel $(kannel_version) (Debian), sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
machine_line
DATA=${BENCH_PEERS_CACHE:-$T/data}
mkdir -p "$DATA" || exit 1
worker_data "$DATA" "$WORKERS" || exit 0
awk -v f="$FIRST" 'BEGIN { for (i = 0; i < 1000000; i++) printf "%.0f\n", f + i }' \
	>"$T/numbers.txt"
: >"$T/mo.tsv"
: >"$T/mt.tsv"

mo_path kannel-mo "Kannel sms-service" "$T/numbers.txt" hello kannel_start kannel_stop
mo_path skillgw-bz "skillgw BZ, empty db" "$T/numbers.txt" BZ gw_bz gw_stop
mo_path skillgw-bt "skillgw BT, $WORKERS workers" "$DATA/numbers.txt" BT gw_bt gw_stop
mt_kannel
mt_skillgw
tables
exit 0
