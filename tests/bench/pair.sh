#!/bin/sh
# pair.sh REV [ROUNDS] - the MT figures of commit REV and of the working
# tree side by side: ROUNDS times (default 5) one run of each, alternately,
# so that both meet the same moods of a shared machine. Prints figures, is
# not a pass/fail test.
#
#   sh tests/bench/pair.sh ab5ea30 8
#
# REV is built in a temporary git worktree (make all, smsc_sink) that is
# removed at the end; the working tree's build/ must be built (make all
# build/smsc_sink). Each run is part 1 of tests/bench/run.sh with
# BENCH_ONLY_MT=1: window 100 "power-loss" and "crash" (BENCH_WINDOWS=100,
# BENCH_DLR=0 unless set). Per build and durability: MT/s and skillgw's
# CPU (user + system) per MT of every round, then their medians.
set -u
REV=${1:?usage: sh tests/bench/pair.sh REV [ROUNDS]}
ROUNDS=${2:-5}
HERE=$(pwd)
WT=$(mktemp -d /tmp/skillgw-pair.XXXXXX)
OUT=$WT.out

cleanup() {
	cd "$HERE" && git worktree remove --force "$WT" >/dev/null 2>&1
	rm -rf "$WT" "$OUT"
}
trap cleanup EXIT INT TERM

git worktree add --detach "$WT" "$REV" >/dev/null 2>&1 || {
	echo "pair: cannot check out $REV"; exit 1; }
echo "pair: building $REV in $WT"
(cd "$WT" && make -j2 all build/smsc_sink >/dev/null 2>&1) || {
	echo "pair: $REV does not build"; exit 1; }

# one run in directory $1, labelled $2: "label durability MT/s us/MT" lines
one() {
	(cd "$1" && BENCH_ONLY_MT=1 BENCH_WINDOWS=${BENCH_WINDOWS:-100} \
		BENCH_DLR=${BENCH_DLR:-0} sh "$HERE/tests/bench/run.sh" build 2>&1) |
	awk -v t="$2" -v n="${BENCH_N:-200000}" '
		/^window .* MT\/s/ { d = $0; sub(/.*\(/, "", d); sub(/\).*/, "", d)
			r = $(NF - 1) }
		/CPU user/ && r { match($0, /user [0-9.]+/); u = substr($0, RSTART + 5, RLENGTH - 5)
			match($0, /system [0-9.]+/); s = substr($0, RSTART + 7, RLENGTH - 7)
			printf "%s %s %s %.1f\n", t, d, r, (u + s) * 1e6 / n; r = "" }'
}

for i in $(seq "$ROUNDS"); do
	one "$WT" "$REV" >>"$OUT"
	one "$HERE" "worktree" >>"$OUT"
done
echo "pair: $ROUNDS rounds, N=${BENCH_N:-200000}, $(git -C "$WT" describe --always) against $(git describe --always --dirty)"
sort -k1,2 -k3n "$OUT" | awk '
	function flush() { if (k == "") return
		printf "  %-28s MT/s:%s  median %s; us/MT:%s  median %s\n", k, rs,
			med(rv, c), us, med(uv, c) }
	function med(v, c,   i, j, t) { for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++)
			if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2 }
	{ key = $1 " " $2; if (key != k) { flush(); k = key; c = 0; rs = ""; us = "" }
	  c++; rv[c] = $3; uv[c] = $4; rs = rs " " $3; us = us " " $4 }
	END { flush() }'
