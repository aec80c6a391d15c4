#!/bin/sh
# valgrind.sh [BUILD_DIR] - run every unit test program of BUILD_DIR/tests
# (a build without sanitizers: make all units) under valgrind's memcheck and
# print one line per program: ok, or what failed (test failures, memory
# errors, definitely lost bytes) with the log to read. Ends with
# "N ok, N failed" and exits 1 if any failed.
#
# A program counts as failed when valgrind reports an error (invalid read or
# write, use of uninitialised memory, a bad free, a definite leak) or the
# test itself fails; possibly lost and still reachable memory is listed in
# the log but does not count. tests/valgrind.supp holds the suppressions
# for one-time allocations of the libraries. A test program older than its
# source did not build: that is a failure too. The logs stay in
# BUILD_DIR/valgrind/.
set -u
cd "$(dirname "$0")/.."
B=${1:-build}
logs="$B/valgrind"
ok=0
failed=0
mkdir -p "$logs"

# "definitely lost: 1,234 bytes in 5 blocks" -> 1234
lost() {
	grep -Eo 'definitely lost: [0-9,]+ bytes' "$1" | tail -1 |
		grep -Eo '[0-9,]+' | tr -d ','
}

for src in tests/unit/test_*.c; do
	name=$(basename "$src" .c)
	t="$B/tests/$name"
	log="$logs/$name.log"
	if [ ! -x "$t" ] || [ "$t" -ot "$src" ]; then
		echo "FAIL $name: not built (see the make output above)"
		failed=$((failed + 1))
		continue
	fi
	if valgrind --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--suppressions=tests/valgrind.supp --num-callers=30 \
		--log-file="$log.vg" "$t" >"$log" 2>&1; then
		rc=0
	else
		rc=$?
	fi
	cat "$log.vg" >>"$log" && rm -f "$log.vg"
	errs=$(grep -Eo 'ERROR SUMMARY: [0-9]+' "$log" | tail -1 |
		grep -Eo '[0-9]+$')
	def=$(lost "$log")
	if [ "$rc" -eq 0 ]; then
		echo "ok   $name"
		ok=$((ok + 1))
		continue
	fi
	why=""
	[ "$rc" -ne 99 ] && why="tests failed (exit $rc); "
	echo "FAIL $name: ${why}${errs:-?} valgrind errors," \
		"${def:-0} bytes definitely lost ($log)"
	failed=$((failed + 1))
done
echo "$ok ok, $failed failed"
[ "$failed" -eq 0 ]
