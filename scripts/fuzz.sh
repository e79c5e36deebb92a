#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers of outside input with libFuzzer and
# AddressSanitizer (Fuzz/: one harness per parser, seeds in Fuzz/seeds/TARGET).
#
#   scripts/fuzz.sh TARGET SECONDS     one target (or `all`, SECONDS each)
#   scripts/fuzz.sh list               the targets
#   FUZZ_RUNS=N scripts/fuzz.sh ...    stop each target after N executions
#                                      (or SECONDS, whichever comes first)
#
# Builds Fuzz/ with `-sanitize=fuzzer,address -parse-as-library -enable-testing` (release,
# into Fuzz/.build), then runs the target on a working corpus under
# .build/fuzz/corpus/TARGET seeded from Fuzz/seeds/TARGET, with a 1 s timeout
# per input and a 2 GB memory limit. Crashes, timeouts and leaks are written
# to .build/fuzz/artifacts/ (each one becomes a fix + a regression test).
# Prints libFuzzer's final stats; exits non-zero when the target failed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
targets=$(sed -n 's/^let targets = \[\(.*\)\]/\1/p' "$repo/Fuzz/Package.swift" | tr -d '" ' | tr ',' ' ')
target=${1:-}
seconds=${2:-60}
if [ -z "$target" ] || [ "$target" = list ]; then echo "$targets"; exit 0; fi
if [ "$target" != all ] && ! printf '%s\n' $targets | grep -qx "$target"; then
    echo "fuzz: unknown target '$target'; expected one of: $targets (or all)" >&2; exit 2
fi
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }
runs=${FUZZ_RUNS:--1}
[[ "$runs" =~ ^(-1|[0-9]+)$ ]] || { echo "fuzz: FUZZ_RUNS must be a whole number, got '$runs'" >&2; exit 2; }

# Release (optimised, so more executions per second) with -enable-testing so the harnesses'
# `@testable import` reaches internal parsers; one product at a time, so that no executable of
# a dependency is built with -parse-as-library (libFuzzer provides `main`).
flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing)
chosen=$( [ "$target" = all ] && echo $targets || echo "$target" )
for t in $chosen; do
    swift build --package-path "$repo/Fuzz" "${flags[@]}" --product "fuzz-$t" >&2
done
bindir=$(swift build --package-path "$repo/Fuzz" "${flags[@]}" --show-bin-path)

status=0
for t in $chosen; do
    corpus="$repo/.build/fuzz/corpus/$t"
    artifacts="$repo/.build/fuzz/artifacts"
    mkdir -p "$corpus" "$artifacts"
    echo "== fuzz-$t for ${seconds}s$( [ "$runs" != -1 ] && echo " or $runs executions")"
    log="$repo/.build/fuzz/$t.log"
    if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 "$bindir/fuzz-$t" "$corpus" "$repo/Fuzz/seeds/$t" \
        -max_total_time="$seconds" -runs="$runs" -timeout=1 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$t-" > "$log" 2>&1; then
        result=ok
    else
        result=FAILED; status=1
        grep -E "ERROR|SUMMARY|==[0-9]+==|Fatal error|Test unit written" "$log" | head -20
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1)
    took=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log")
    secs=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -Eo '[0-9]+ second' | grep -Eo '[0-9]+')
    echo "fuzz-$t: $result, ${execs:-?} executions in ${secs:-$seconds}s (slowest input ${took:-?}s), $cov, corpus $(ls "$corpus" | wc -l) inputs (log $log)"
done
exit $status
