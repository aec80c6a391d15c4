#!/bin/sh
# run.sh BUILD_DIR - run every test of skillgw and end with one line
# "N passed, N failed". Unit tests are the cmocka programs in BUILD_DIR/tests,
# integration tests the node:test files in tests/integration (they start the
# real daemon from BUILD_DIR against the SMSC simulator on loopback), browser
# tests the node:test files in tests/browser (the console in headless chromium).
set -u
cd "$(dirname "$0")/.."
B=${1:-build-san}
passed=0
failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0}

count() { # file pattern
	grep -Eo "$2" "$1" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}'
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if "$t" >"$log/$name" 2>&1; then rc=0; else rc=$?; fi
	p=$(count "$log/$name" '\[  PASSED  \] [0-9]+')
	f=$(count "$log/$name" '\[  FAILED  \] [0-9]+ test')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi	# crashed or leaked
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $name"; tail -n 40 "$log/$name"
	else
		echo "ok   $name ($p)"
	fi
done

if [ -z "${SKIP_INTEGRATION:-}" ] && ls tests/integration/*.test.js >/dev/null 2>&1; then
	SKILLGW_BIN="$B/skillgw" SKILLCTL_BIN="$B/skillctl" \
		node --test --test-reporter=tap --test-concurrency=1 \
		tests/integration/ >"$log/integration" 2>&1
	p=$(grep -E '^# pass [0-9]+' "$log/integration" | grep -Eo '[0-9]+' | tail -1)
	f=$(grep -E '^# fail [0-9]+' "$log/integration" | grep -Eo '[0-9]+' | tail -1)
	p=${p:-0}; f=${f:-1}
	passed=$((passed + p)); failed=$((failed + f))
	grep -E '^(not )?ok ' "$log/integration" | sed 's/^/  /'
	if [ "$f" -gt 0 ]; then
		echo "integration failures:"
		grep -B2 -A30 '^not ok' "$log/integration" | head -n 200
	fi
fi

# ---- browser tests of the web console (tests/browser): Debian's chromium
# headless through playwright-core, against the real daemon; screenshots of
# every page go to BUILD_DIR/screenshots. SKIP_BROWSER=1 leaves them out.
if [ -z "${SKIP_BROWSER:-}" ] && ls tests/browser/*.test.js >/dev/null 2>&1; then
	SKILLGW_BIN="$B/skillgw" SKILLCTL_BIN="$B/skillctl" SCREENSHOT_DIR="$B/screenshots" \
		node --test --test-reporter=tap --test-concurrency=1 \
		tests/browser/ >"$log/browser" 2>&1
	p=$(grep -E '^# pass [0-9]+' "$log/browser" | grep -Eo '[0-9]+' | tail -1)
	f=$(grep -E '^# fail [0-9]+' "$log/browser" | grep -Eo '[0-9]+' | tail -1)
	p=${p:-0}; f=${f:-1}
	passed=$((passed + p)); failed=$((failed + f))
	grep -E '^(not )?ok ' "$log/browser" | sed 's/^/  browser: /'
	if [ "$f" -gt 0 ]; then
		echo "browser test failures:"
		grep -B2 -A40 '^not ok' "$log/browser" | head -n 200
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
