#!/usr/bin/env bash
# Full disk and read-only folders: a training run whose checkpoint, weights,
# metrics CSV and run store go to a small tmpfs that cannot hold a second copy
# of the checkpoint, then to the same tmpfs remounted read-only. Each write
# must fail with a clear error naming the file and the reason, the previous
# files must stay byte for byte, and no temporary file may remain.
#
#   scripts/diskfull.sh               (as root: mounts and unmounts a tmpfs; skips when mount is not allowed)
#   WORKBENCH_BIN=path/to/workbench   default: the newest of .build/{release,debug}/workbench
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${WORKBENCH_BIN:-}
if [ -z "$bin" ]; then
    for b in "$repo/.build/release/workbench" "$repo/.build/debug/workbench"; do
        if [ -x "$b" ] && { [ -z "$bin" ] || [ "$b" -nt "$bin" ]; }; then bin=$b; fi
    done
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "diskfull: no workbench binary (swift build first, or set WORKBENCH_BIN)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/workbench-diskfull.XXXXXX")
mnt="$work/small"
mkdir -p "$mnt"
cleanup() { mountpoint -q "$mnt" && umount "$mnt"; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
export WORKBENCH_HOME="$work/home"
args=(train --limit 32 --batch-size 8 --workers 0 --seed 1)

# The previous files, written where there is room.
"$bin" "${args[@]}" --epochs 1 --checkpoint ck.safetensors --save w.safetensors --metrics m.csv --runs runs.sqlite > first.log
size=$(( $(stat -c %s ck.safetensors) + $(stat -c %s w.safetensors) + $(stat -c %s m.csv) + $(du -b runs.sqlite* | awk '{s += $1} END {print s}') ))
room=$(( (size + 96 * 1024 + 4095) / 4096 * 4096 ))
if ! mount -t tmpfs -o size=$room tmpfs "$mnt" 2> mount.err; then
    echo "diskfull: skipped — cannot mount a tmpfs here ($(cat mount.err)); run as root to check full-disk and read-only behaviour"
    exit 0
fi
cp ck.safetensors w.safetensors m.csv runs.sqlite* "$mnt"/
sums() { (cd "$mnt" && sha256sum ck.safetensors w.safetensors m.csv); }
before=$(sums)
echo "diskfull: tmpfs of $room bytes holding $size bytes of previous files ($(df -B1 --output=avail "$mnt" | tail -1 | tr -d ' ') free)"

failures=0
check() {  # check LABEL LOG: previous files intact, no temporary files, clear errors
    local label=$1 log=$2
    if [ "$(sums)" != "$before" ]; then echo "diskfull: $label: a previous file CHANGED"; failures=$((failures + 1)); fi
    leftovers=$(find "$mnt" -name '.*.tmp-*')
    if [ -n "$leftovers" ]; then echo "diskfull: $label: temporary files LEFT: $leftovers"; failures=$((failures + 1)); fi
    "$bin" verify "$mnt"/ck.safetensors "$mnt"/w.safetensors "$mnt"/m.csv > /dev/null || { echo "diskfull: $label: verify FAILED"; failures=$((failures + 1)); }
    echo "diskfull: $label: what the user sees:"
    grep -E "error|failed|warning" "$log" | sed 's/^/    /' | head -6
}

# Full: the new checkpoint, weights and CSV do not fit next to the old ones.
status=0
"$bin" "${args[@]}" --epochs 2 --resume "$mnt/ck.safetensors" --checkpoint "$mnt/ck.safetensors" --save "$mnt/w.safetensors" \
    --metrics "$mnt/m.csv" --runs "$mnt/runs.sqlite" > full.log 2>&1 || status=$?
[ "$status" != 0 ] || { echo "diskfull: full disk: the run reported success"; failures=$((failures + 1)); }
grep -q "No space left on device" full.log || { echo "diskfull: full disk: no 'No space left on device' in the errors"; failures=$((failures + 1)); }
check "full disk (exit $status)" full.log

# Read-only: every write is refused.
mount -o remount,ro "$mnt"
status=0
"$bin" "${args[@]}" --epochs 2 --resume "$mnt/ck.safetensors" --checkpoint "$mnt/ck.safetensors" --save "$mnt/w.safetensors" \
    --metrics "$mnt/m.csv" --runs "$mnt/runs.sqlite" > ro.log 2>&1 || status=$?
[ "$status" != 0 ] || { echo "diskfull: read-only: the run reported success"; failures=$((failures + 1)); }
grep -Eq "Read-only file system|readonly database" ro.log || { echo "diskfull: read-only: no read-only error in the output"; failures=$((failures + 1)); }
check "read-only (exit $status)" ro.log

echo "diskfull: $([ $failures = 0 ] && echo "ok: clear errors, nothing lost, no temporary files" || echo "$failures FAILURES")"
[ "$failures" = 0 ]
