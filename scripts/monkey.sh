#!/usr/bin/env bash
# The TUI survives anything typed, the long version: MonkeyTests with 100,000
# random keys, pastes, mouse events and resizes through the real run loop and
# the real training engine (`make test` runs 4,000 of them).
#
#   scripts/monkey.sh [-s SEED] [-n EVENTS]    default seed 1, 100,000 events
#
# Builds the tests if they are not built yet (debug; Tensors is -O even there),
# runs `swift test --skip-build --filter MonkeyTests` and prints the summary
# line ("monkey: seed S: N events (… keys, … pastes, … mouse events, …
# resizes) in … s, … launches, … frames, … training steps, longest loop turn
# … s"). Exits with the test's status.
set -euo pipefail

seed=1
events=100000
while getopts "s:n:h" opt; do
    case $opt in
        s) seed=$OPTARG ;;
        n) events=$OPTARG ;;
        *) sed -n '2,12p' "$0"; exit 2 ;;
    esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
if ! ls .build/debug/*PackageTests.xctest >/dev/null 2>&1; then
    echo "monkey: building the tests (swift build --build-tests)" >&2
    swift build --build-tests
fi

log=$(mktemp "${TMPDIR:-/tmp}/workbench-monkey.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
WORKBENCH_MONKEY_EVENTS=$events WORKBENCH_MONKEY_SEED=$seed \
    swift test --skip-build --filter 'WorkbenchTests.MonkeyTests' >"$log" 2>&1 || status=$?
grep -E '^monkey: ' "$log" || { echo "monkey: no summary line; the test's output:" >&2; tail -40 "$log" >&2; }
grep -E 'error:|failed|Executed' "$log" | tail -5
exit $status
