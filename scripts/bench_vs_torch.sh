#!/usr/bin/env bash
# Side-by-side comparison with PyTorch on this machine, in one session.
#
#   scripts/bench_vs_torch.sh [PYTHON]
#
# PYTHON is a python3 with torch + torchvision (for comparison only, never a
# dependency), e.g. after
#   python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch torchvision
# Needs a release build (make release) and ../shared (bench scripts + CIFAR-10).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-/tmp/torchenv/bin/python}
WB=.build/release/workbench
BENCH=../shared/bench
DATA=../shared/data/cifar-10-binary.tar.gz
REPS=${REPS:-3}
export OMP_NUM_THREADS=2

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(lscpu | sed -n 's/^Model name: *//p'); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# torch $($PY -c 'import torch; print(torch.__version__)')"

echo "## LeNet5 compute on random tensors (img/s)"
for r in $(seq "$REPS"); do
  echo "### round $r: workbench"
  $WB bench lenet
  echo "### round $r: torch"
  $PY $BENCH/bench_compute.py --model lenet5 --threads 2 --train 16,128 --infer 128 --steps 200 --repeats 5
done

echo "## One reference epoch as a process (40k train + 10k val with augmentation, then test)"
for r in $(seq "$REPS"); do
  /usr/bin/time -f "workbench: %e s wall, %M KB peak RSS" $WB train --data $DATA --epochs 1 > /dev/null
  /usr/bin/time -f "torch v2:  %e s wall, %M KB peak RSS" $PY $BENCH/torch_lenet5.py --epochs 1 --pipeline v2 --threads 2 > /dev/null
done
