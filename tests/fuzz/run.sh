#!/bin/sh
# run.sh - runs one libFuzzer target for a bounded time and records the
# outcome in one summary line.  Used by `make fuzz` (fuzz.mk).
#
#   run.sh BINARY SECONDS MAX_LEN DICT BUILD_DIR SEED...
#
# DICT is a libFuzzer dictionary or "-" for none.  Each SEED is a file or a
# directory of files; they are copied into a fresh corpus directory under
# BUILD_DIR, which the fuzzer then extends.  The line "NAME PASS|FAIL ..."
# goes to BUILD_DIR/NAME.result, the whole fuzzer output to BUILD_DIR/NAME.log,
# an input that crashed, leaked or hung to BUILD_DIR/artifacts/.
# Always exits 0 when the target could be run: the caller reads the results.
set -u

bin=$1 seconds=$2 max_len=$3 dict=$4 build=$5
shift 5
name=$(basename "$bin")
corpus=$build/corpus/$name
log=$build/$name.log
result=$build/$name.result

rm -rf "$corpus"
mkdir -p "$corpus" "$build/artifacts"
n=0
for seed in "$@"; do
	if [ -d "$seed" ]; then
		for f in "$seed"/*; do
			[ -f "$f" ] || continue
			n=$((n + 1))
			cp "$f" "$corpus/seed$n-${f##*/}"
		done
	elif [ -f "$seed" ]; then
		n=$((n + 1))
		cp "$seed" "$corpus/seed$n-${seed##*/}"
	fi
done

set -- -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$build/artifacts/$name-"
if [ "$dict" != "-" ]; then
	set -- "$@" -dict="$dict"
fi

# Leaks are failures; UBSan reports come with a stack.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

echo "fuzz: $name for ${seconds}s (max_len $max_len, $(ls "$corpus" | wc -l) seeds)"
"$bin" "$@" "$corpus" >"$log" 2>&1
rc=$?

# "#123456	DONE   cov: 1234 ft: 5678 corp: 100/20Kb lim: 4096 exec/s: 4115 rss: 60Mb"
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
runs=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1 | awk '{ print $2 }')
field() {
	printf '%s\n' "$done_line" | awk -v k="$1:" '{
		for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'
}
if [ "$rc" -eq 0 ] && [ -n "$done_line" ]; then
	printf '%-26s PASS runs %s cov %s ft %s corpus %s exec/s %s rss %s\n' \
	    "$name" "${runs:-?}" "$(field cov)" "$(field ft)" "$(field corp)" \
	    "$(field exec/s)" "$(field rss)" >"$result"
else
	why=$(grep -m 1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|contract broken|ALARM|out-of-memory' "$log")
	[ -n "$why" ] || why=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
	unit=$(grep -m 1 -E 'Test unit written to' "$log" | sed 's/.*written to //')
	printf '%-26s FAIL exit %s: %s%s (log %s)\n' "$name" "$rc" \
	    "${why:-no final DONE line}" "${unit:+; input $unit}" "$log" \
	    >"$result"
fi
cat "$result"
exit 0
