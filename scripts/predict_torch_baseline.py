"""PyTorch baseline for `workbench bench predict` (comparison only).

The same job as `workbench predict FOLDER`: list the PNG files, open each with PIL,
apply torchvision's ToTensor + Normalize (CIFAR-10 mean/std, the weights' test
transform), stack batches, run LeNet-5 (the same safetensors weights), take the top 3.
One intra-op thread, as the serving baseline. Prints images/s and the share of the
time spent opening + decoding the files (PIL `Image.open(...).convert("RGB")`).
Usage: predict_torch_baseline.py WEIGHTS FOLDER [BATCH] [ROUNDS]
"""
import os
import statistics
import sys
import time

import torch
from PIL import Image
from safetensors.torch import load_file
from torch_lenet5 import LeNet5
from torchvision import transforms

torch.set_num_threads(1)




weights, folder = sys.argv[1], sys.argv[2]
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
model = LeNet5()
model.load_state_dict(load_file(weights))
model.eval()
tf = transforms.Compose([transforms.ToTensor(),
                         transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))])

totals, decodes = [], []
for _ in range(rounds):
    t0 = time.perf_counter()
    files = sorted(f for f in os.listdir(folder) if not f.startswith("."))
    xs = [tf(Image.open(os.path.join(folder, f)).convert("RGB")) for f in files]
    with torch.no_grad():
        for i in range(0, len(xs), batch):
            torch.softmax(model(torch.stack(xs[i:i + batch])), 1).topk(3)
    totals.append(time.perf_counter() - t0)
    t1 = time.perf_counter()
    for f in files:
        Image.open(os.path.join(folder, f)).convert("RGB")
    decodes.append(time.perf_counter() - t1)
t, d = statistics.median(totals), statistics.median(decodes)
print(f"pytorch (PIL + torchvision, torch {torch.__version__}): {t:.3f} s, {len(files) / t:.0f} images/s; "
      f"opening + PNG decoding {d / t * 100:.1f}% of the time")
