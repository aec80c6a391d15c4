#!/bin/sh
# load-demo.sh CONFIG OUTDIR - generate the demo data set into OUTDIR
# (scripts/gen-demo.js) and import it with skillctl into the database that
# CONFIG names, in the order the files depend on each other: occupations,
# institutions, courses, workers, certificates, subsidies, enrolments.
#
# Environment: SKILLCTL (default build/skillctl, else skillctl on PATH),
# WORKERS (default 2000), SEED (default 1), OPERATOR (default "demo"),
# TODAY (YYYY-MM-DD: the day every date of the data set is relative to;
# default: today in Asia/Shanghai by skillgw's clock, which
# SKILLGW_CLOCK_OFFSET_MS moves). With TODAY, skillctl imports with
# SKILLGW_CLOCK_OFFSET_MS set to the whole days from the real clock to TODAY
# (it refuses certificates issued after its today); a skillgw that serves
# the data as the documentation says needs the same (scripts/demo.sh does
# that with SKILLGW_DEMO_TODAY).
# Every import is all or nothing; the script stops at the first that fails.
# The data set is history: it is imported with --no-notify (nobody is texted).
set -eu

[ $# -eq 2 ] || { echo "usage: sh scripts/load-demo.sh CONFIG OUTDIR" >&2; exit 1; }
# paths are the caller's: make them absolute before moving to the project
abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$(pwd)" "$1" ;; esac; }
CONFIG=$(abs "$1")
OUT=$(abs "$2")
[ -f "$CONFIG" ] || { echo "load-demo: no configuration file $CONFIG" >&2; exit 1; }
case ${SKILLCTL:-} in ''|/*) ;; */*) SKILLCTL=$(abs "$SKILLCTL") ;; esac
cd "$(dirname "$0")/.."
WORKERS=${WORKERS:-2000}
SEED=${SEED:-1}
OPERATOR=${OPERATOR:-demo}
if [ -z "${SKILLCTL:-}" ]; then
	if [ -x build/skillctl ]; then SKILLCTL=build/skillctl; else SKILLCTL=skillctl; fi
fi

command -v node >/dev/null 2>&1 || { echo "load-demo: node is not installed" >&2; exit 1; }
if [ -n "${TODAY:-}" ]; then
	SKILLGW_CLOCK_OFFSET_MS=$(node scripts/gen-demo.js --today "$TODAY" --clock-offset) ||
		{ echo "load-demo: TODAY=$TODAY is not a day gen-demo.js takes" >&2; exit 1; }
	export SKILLGW_CLOCK_OFFSET_MS
	echo "load-demo: today is $TODAY (TODAY): skillctl runs with SKILLGW_CLOCK_OFFSET_MS=$SKILLGW_CLOCK_OFFSET_MS"
fi
node scripts/gen-demo.js --out "$OUT" --workers "$WORKERS" --seed "$SEED" ${TODAY:+--today "$TODAY"}

for kind in occupations institutions courses workers certificates subsidies enrolments; do
	printf 'load-demo: %-13s ' "$kind"
	"$SKILLCTL" -c "$CONFIG" import "$kind" "$OUT/$kind.csv" --no-notify --operator "$OPERATOR" 2>"$OUT/$kind.log" ||
		{ echo; cat "$OUT/$kind.log" >&2; echo "load-demo: importing $kind failed" >&2; exit 1; }
	# warnings (flagged subsidies) are kept in the log, counted here
	w=$(grep -c 'warning' "$OUT/$kind.log" || true)
	[ "$w" = 0 ] || echo "load-demo:   $w warnings in $OUT/$kind.log"
done
echo "load-demo: done; the demo numbers are in $OUT/demo-numbers.txt"
