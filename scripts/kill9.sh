#!/usr/bin/env bash
# Crash safety under SIGKILL: kills `workbench train` at random moments while
# it writes a checkpoint every step, TensorBoard events, run-store rows, and at
# the end the weights and the metrics CSV; then checks every file with
# `workbench verify` (each must be the previous complete version or the new
# complete one, never torn). Every trial starts where the last one was killed,
# as a user would, which also removes the temporary files of the killed
# writes; at the end the run is resumed to completion from the last
# checkpoint and its weights must equal an uninterrupted run's bit for bit,
# and no temporary file may remain.
#
#   scripts/kill9.sh [TRIALS]          default 100; `make test` runs 6
#   WORKBENCH_BIN=path/to/workbench    default: the newest of .build/{release,debug}/workbench
#
# Prints one line per trial and a summary; exits 1 on any torn file, leftover
# temporary file or resume mismatch.
set -euo pipefail

trials=${1:-100}
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${WORKBENCH_BIN:-}
# Absolute, since the trials run in a scratch folder.
[ -n "$bin" ] && [ -x "$bin" ] && bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
if [ -z "$bin" ]; then
    for b in "$repo/.build/release/workbench" "$repo/.build/debug/workbench"; do
        if [ -x "$b" ] && { [ -z "$bin" ] || [ "$b" -nt "$bin" ]; }; then bin=$b; fi
    done
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "kill9: no workbench binary (swift build first, or set WORKBENCH_BIN)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/workbench-kill9.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export WORKBENCH_HOME="$work/home"

args=(train --limit 64 --batch-size 8 --epochs 3 --workers 0 --seed 3
      --checkpoint ck.safetensors --checkpoint-every 1 --save w.safetensors --metrics m.csv
      --tensorboard tb --runs runs.sqlite)

now() { date +%s%N; }

# The uninterrupted run: its weights are the reference, its duration sets the kill window.
t0=$(now)
"$bin" "${args[@]}" > reference.log 2>&1 || { cat reference.log; echo "kill9: the reference run failed" >&2; exit 1; }
t1=$(now)
span_ms=$(( (t1 - t0) / 1000000 ))
mv w.safetensors reference.safetensors
rm -rf ck.safetensors m.csv tb runs.sqlite*
echo "kill9: $bin, reference run ${span_ms} ms; $trials trials"

torn=0 killed=0 finished=0
for ((i = 1; i <= trials; i++)); do
    delay=$(( RANDOM * RANDOM % (span_ms + span_ms / 5 + 1) ))
    resume=()
    if [ -f ck.safetensors ] && "$bin" verify ck.safetensors > /dev/null 2>&1; then resume=(--resume ck.safetensors); fi
    "$bin" "${args[@]}" "${resume[@]}" > trial.log 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    if kill -9 "$pid" 2> /dev/null; then killed=$((killed + 1)); outcome="killed at ${delay} ms"; else outcome="finished before ${delay} ms"; finished=$((finished + 1)); fi
    wait "$pid" 2> /dev/null || true
    files=()
    for f in ck.safetensors w.safetensors m.csv runs.sqlite; do [ -e "$f" ] && files+=("$f"); done
    [ -d tb ] && files+=(tb)
    report=$("$bin" verify "${files[@]}" 2>&1 || true)
    # An append-only TensorBoard file may end in a record cut short by the kill (TensorBoard reads the records before it).
    bad=$(printf '%s\n' "$report" | grep ': damaged: ' | grep -v '\.tmp-' | grep -v 'tfevents.*cut short after' || true)
    if [ -n "$bad" ]; then
        torn=$((torn + 1))
        echo "trial $i: $outcome: TORN"; printf '%s\n' "$bad"
    else
        echo "trial $i: $outcome: $(printf '%s\n' "$report" | grep -c ': ok ') files ok"
    fi
    # A finished run is the end of the story; start over so later trials kill mid-run again.
    if grep -q "already complete" trial.log || [ -f w.safetensors ]; then rm -f ck.safetensors w.safetensors m.csv; fi
done

# Finish the run from wherever the last trial left it, without a kill.
resume=()
[ -f ck.safetensors ] && resume=(--resume ck.safetensors)
"$bin" "${args[@]}" "${resume[@]}" > final.log 2>&1 || { cat final.log; echo "kill9: the final resume failed" >&2; exit 1; }
mismatch=0
if [ ! -f w.safetensors ] && grep -q "already complete" final.log; then
    "$bin" "${args[@]}" > final.log 2>&1
fi
if ! cmp -s w.safetensors reference.safetensors; then
    mismatch=1
    echo "kill9: the resumed run's weights differ from the uninterrupted run's"
fi
leftovers=$(find . -name '.*.tmp-*' -o -name '.*.part-*' | grep -v '^./tb/' || true)
if [ -n "$leftovers" ]; then
    echo "kill9: temporary files left after the next start:"; printf '%s\n' "$leftovers"
fi
echo "kill9: $trials trials, $killed killed mid-run, $finished finished first, $torn with a torn file; resumed weights $([ $mismatch = 0 ] && echo identical || echo DIFFERENT); $([ -z "$leftovers" ] && echo "no temporary files left" || echo "temporary files LEFT")"
[ "$torn" = 0 ] && [ "$mismatch" = 0 ] && [ -z "$leftovers" ]
