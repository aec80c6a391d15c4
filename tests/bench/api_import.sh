#!/bin/sh
# api_import.sh - SMS reply latency while a 1,000,000-row roster import
# runs through the API (POST /api/v1/imports?kind=workers&mode=apply: a
# worker thread with its own connection, a validation pass, then
# transactions of 2000 rows). Prints figures, is not a pass/fail test.
# tests/bench/run.sh calls it (make bench).
#
#   sh tests/bench/api_import.sh BUILD_DIR
#
#  1. The demo data set of BENCH_API_WORKERS workers (default 100000;
#     lib.sh's worker_data, shared with sms_roundtrip.sh) answers BT;
#     BENCH_API_ROWS new workers (default 1000000: resident IDs and
#     numbers the demo does not use) are written as workers.csv for the
#     import.
#  2. skillgw (lib.sh's cmd_conf: commands on, durability power-loss, one
#     transceiver link of window 100, no receipts) with the API on a free
#     port, bound to BUILD_DIR/mo_load (tests/bench/mo_load.c), which sends
#     BT at BENCH_API_RATE MO/s (default 1000) on a fixed schedule and
#     times each reply: a 3 s warm-up, a baseline of BENCH_API_SECS
#     seconds (default 10) with no import, then BENCH_API_PHASES phases
#     (default 6) of BENCH_API_SECS seconds each. The import is posted with
#     a token as the first of those starts; its progress is polled once a
#     second.
#  3. Per phase, mo_load's line (replies, lost, p50 / p99 / p99.9 / max);
#     the import's duration and counts; a summary: the baseline's p99
#     against the worst p99 of the phases that ran wholly during the
#     import.
#
# Environment: the above; BENCH_SMS_CACHE=DIR keeps the roster database
# (as sms_roundtrip.sh does); BENCH_KEEP=1 keeps the temporary directory.
# About 2 to 3 minutes at the defaults.
set -u

B=${1:-build}
WORKERS=${BENCH_API_WORKERS:-100000}
ROWS=${BENCH_API_ROWS:-1000000}
RATE=${BENCH_API_RATE:-1000}
SECS=${BENCH_API_SECS:-10}
NPHASES=${BENCH_API_PHASES:-6}
WARM=3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $B in /*) ;; *) B=$(pwd)/$B ;; esac

echo "== SMS replies while $ROWS workers are imported through the API =="
for f in skillgw skillctl mo_load; do
	if [ ! -x "$B/$f" ]; then
		echo "  $B/$f not built (make all $B/mo_load): skipped"
		exit 0
	fi
done
for c in node sqlite3 curl; do
	command -v $c >/dev/null || { echo "  $c missing: skipped"; exit 0; }
done

. "$ROOT/tests/bench/lib.sh"
bench_init bench-api LOAD_PID GW_PID

# ---- 1. data ----------------------------------------------------------------
DATA=${BENCH_SMS_CACHE:-$T/data}
mkdir -p "$DATA" || exit 1
worker_data "$DATA" "$WORKERS" || exit 0
t0=$(now)
node -e '
	const n = Number(process.argv[1]), fs = require("fs");
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const id = (b) => b + "10X98765432"[[...b].reduce((a, d, i) => a + d * w[i], 0) % 11];
	const fam = "陈林黄郑吴李张王刘杨", giv = "志明晓红建国丽娜文华秀英伟强";
	const regions = ["榕城区", "揭东区", "揭西县", "惠来县", "普宁市"];
	const out = fs.createWriteStream(process.argv[2]);
	out.write("身份证号,姓名,手机号,区县,重点群体\n");
	for (let i = 0; i < n; i++) {
		const d = new Date(Date.UTC(1960, 0, 1) + Math.floor(i / 900) * 86400000);
		const birth = d.toISOString().slice(0, 10).replace(/-/g, "");
		const name = fam[i % 10] + giv[Math.floor(i / 10) % 14] + giv[Math.floor(i / 140) % 14];
		out.write(`${id(`445281${birth}${String(100 + i % 900).padStart(3, "0")}`)},${name},` +
			`199${String(i).padStart(8, "0")},${regions[i % 5]},migrant\n`);
	}
	out.end();' "$ROWS" "$T/workers.csv" || exit 1
echo "  import file: $ROWS new workers, $(du -m "$T/workers.csv" | cut -f1) MiB, written in" \
	"$(elapsed "$t0" "$(now)" 1) s"

# ---- 2. the run ---------------------------------------------------------------
D=$T/run
mkdir -p "$D"
cp "$DATA/base.db" "$D/skillgw.db" || exit 1
PHASES="R:$RATE:$WARM r:$RATE:$SECS"
i=0
while [ $i -lt "$NPHASES" ]; do PHASES="$PHASES r:$RATE:$SECS"; i=$((i + 1)); done
# shellcheck disable=SC2086  # $PHASES: one word a phase
"$B/mo_load" -p 0 -f "$D/port" -n "$DATA/numbers.txt" -g "$D/gw.pid" \
	-o "$D/phases.tsv" -B 60 -D 5 -q $PHASES >"$D/load.out" 2>"$D/load.err" &
LOAD_PID=$!
if ! wait_file "$D/port" "$LOAD_PID" 300; then
	echo "  mo_load did not start:"; sed 's/^/    /' "$D/load.err"
	exit 0
fi
free_port API_PORT
cmd_conf "$D" "$(cat "$D/port")" 500 power-loss true
printf 'api: { enabled = true; address = "127.0.0.1"; port = %s; console_dir = ""; };\n' \
	"$API_PORT" >>"$D/skillgw.conf"
TOKEN=$("$B/skillctl" -c "$D/skillgw.conf" token create --name bench --role operator 2>/dev/null)
"$B/skillgw" -c "$D/skillgw.conf" >"$D/skillgw.log" 2>&1 &
GW_PID=$!
echo "$GW_PID" >"$D/gw.pid"
i=0
while ! grep -q 'bound (transceiver)' "$D/skillgw.log" && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
bound=$(now)
# mo_load settles 0.2 s after the bind, then the warm-up and the baseline
sleep "$(awk -v a="$WARM" -v b="$SECS" 'BEGIN { print a + b + 0.2 }')"
imp0=$(now)
curl -s -o "$D/post.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: text/csv' --data-binary "@$T/workers.csv" \
	"http://127.0.0.1:$API_PORT/api/v1/imports?kind=workers&mode=apply&skip_bad=true" \
	>"$D/post.code"
state=queued
while [ "$state" != done ] && [ "$state" != failed ] && [ "$state" != cancelled ] &&
      kill -0 "$GW_PID" 2>/dev/null; do
	sleep 1
	curl -s -H "Authorization: Bearer $TOKEN" \
		"http://127.0.0.1:$API_PORT/api/v1/imports/1" >"$D/job.json"
	state=$(node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).state) } catch (e) { console.log("?") }' "$D/job.json")
done
imp1=$(now)
while kill -0 "$LOAD_PID" 2>/dev/null && ! grep -q '^end:' "$D/load.out"; do sleep 0.2; done
stop "$GW_PID"; GW_PID=""
stop "$LOAD_PID"; LOAD_PID=""

# ---- 3. figures ------------------------------------------------------------------
echo "  upload answered $(cat "$D/post.code"); the job:" \
	"$(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
		console.log(`${j.state} ${j.result}: rows ${j.rows}, imported ${j.imported}, updated ${j.updated},` +
			` bad ${j.bad}, in ${((j.finished_at - j.started_at) / 1000).toFixed(1)} s` +
			` (${Math.round(j.rows / ((j.finished_at - j.started_at) / 1000))} rows/s both passes)`)' "$D/job.json")"
start=$(elapsed "$bound" "$imp0" 1)
end=$(elapsed "$bound" "$imp1" 1)
echo "  the import ran from ${start} s to about ${end} s after the bind (polled each second)"
grep -v '^end:' "$D/load.out" | sed 's/^/  /'
grep -v '^$' "$D/load.err" | sed 's/^/  mo_load: /'
# phases: warm-up, baseline, then the import's; phase k (0-based after the
# baseline) spans [WARM+SECS*(k+1), WARM+SECS*(k+2)] s after the bind
[ -s "$D/phases.tsv" ] && awk -F'\t' -v warm="$WARM" -v secs="$SECS" -v s="$start" -v e="$end" '
	$3 == 1 { next }
	{ k++ }
	k == 1 { base = $9; next }
	{ a = warm + secs * (k - 1); b = a + secs
	  if (a >= s && b <= e && $9 > worst) { worst = $9; n++ } else if (a >= s && b <= e) n++ }
	END {
		printf "  summary: reply p99 %.2f ms without an import, %s during it" \
			" (%d phase(s) of %d s wholly inside)\n", base,
			(n ? sprintf("worst phase p99 %.2f ms", worst) : "no phase wholly"), n, secs
	}' "$D/phases.tsv"
errs=$(grep -c ' ERROR ' "$D/skillgw.log")
[ "$errs" = 0 ] || echo "  skillgw logged $errs errors, in $D/skillgw.log"
[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$D"/skillgw.db* "$T/workers.csv"
exit 0
