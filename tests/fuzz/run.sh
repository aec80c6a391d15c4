#!/bin/sh
# run.sh FUZZ_DIR [SECONDS [TARGET...]] - run the libFuzzer targets built in
# FUZZ_DIR (make fuzz-build) for SECONDS each (default 60), one after the
# other, and print one line per target: inputs run, inputs per second,
# coverage (edges), corpus size, and where the crashing inputs are if there
# were any. Exits 1 when any target crashed.
#
# Each target starts from its committed seeds, tests/fuzz/corpus/NAME/,
# which it only reads; what it learns goes to FUZZ_DIR/corpus/NAME/ and is
# kept for the next run (copy an interesting input to the seeds by hand,
# small ones only). A crash leaves its input in FUZZ_DIR/crashes/NAME/ and
# the fuzzer's report in FUZZ_DIR/log/NAME.log; replay it with
#   FUZZ_DIR/fuzz_NAME FUZZ_DIR/crashes/NAME/crash-...
# FUZZ_ARGS is added to every fuzzer's arguments; to go on after a crash
# (collecting each one) use FUZZ_ARGS="-fork=1 -ignore_crashes=1".
set -u
cd "$(dirname "$0")/../.."
F=${1:-build-fuzz}
S=${2:-60}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
crashed=0

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
supp=$(pwd)/tests/fuzz/lsan.supp
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$supp:print_suppressions=0}

# The longest input worth trying, per target (libFuzzer's -max_len).
max_len() {
	case $1 in
	pdu)	echo 4096 ;;	# a deliver_sm with message_payload
	csv)	echo 16384 ;;	# a few hundred records
	config)	echo 8192 ;;
	*)	echo 2048 ;;
	esac
}

# The last number after pattern in file (e.g. "exec/s: 123"), or "?".
last_num() {
	v=$(grep -Eo "$2" "$1" | tail -1 | grep -Eo '[0-9]+$')
	echo "${v:-?}"
}

if [ $# -gt 0 ]; then
	targets=$*
else
	targets=$(for b in "$F"/fuzz_*; do
		[ -x "$b" ] && basename "$b" | sed 's/^fuzz_//'
	done)
fi
[ -n "$targets" ] || { echo "no fuzz targets in $F (make fuzz-build)"; exit 1; }
mkdir -p "$F/log"
printf '%-10s %12s %8s %6s %7s  %s\n' target runs exec/s cov corpus result
for t in $targets; do
	bin="$F/fuzz_$t"
	out="$F/crashes/$t"
	log="$F/log/$t.log"
	mkdir -p "$F/corpus/$t" "$out"
	before=$(ls "$out" | wc -l)
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$S" -max_len="$(max_len "$t")" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/" ${FUZZ_ARGS:-} \
		"$F/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	# one process: final stats; -fork: the last progress line
	if grep -q '^stat::number_of_executed_units' "$log"; then
		runs=$(last_num "$log" \
			'^stat::number_of_executed_units: *[0-9]+')
		eps=$(last_num "$log" '^stat::average_exec_per_sec: *[0-9]+')
	else
		runs=$(last_num "$log" '^#[0-9]+' | tr -d '#')
		eps=$(awk -v r="$runs" -v s="$S" 'BEGIN {
			if (r ~ /^[0-9]+$/ && s > 0) printf "%d", r / s
			else print "?" }')
	fi
	cov=$(last_num "$log" 'cov: [0-9]+')
	corpus=$(ls "$F/corpus/$t" | wc -l)
	new=$(($(ls "$out" | wc -l) - before))
	if [ "$new" -gt 0 ] || [ "$rc" -ne 0 ]; then
		crashed=1
		newest=$(ls -t "$out" | head -1)
		result="CRASH: $new new in $out/, newest $newest (log $log)"
	else
		result=ok
	fi
	printf '%-10s %12s %8s %6s %7s  %s\n' "$t" "$runs" "$eps" "$cov" \
		"$corpus" "$result"
done
exit $crashed
