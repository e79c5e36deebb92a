#!/usr/bin/env python
"""PyTorch side of `workbench bench models --torch PY` (comparison only, never a dependency).

Runs as a child process of the workbench bench and answers one measurement per line, so
the two sides alternate inside one run:

  stdin:  "<model> <train|infer> <batch> <steps> <warmup>"   (model: lenet5, smallvgg, resnet18)
  stdout: "<images per second>"
  stdin:  "rss <model> <batch> <steps>"  ->  stdout: "<peak RSS in MB>" (run it in a fresh process)

A train step is the one of ../shared/bench/bench_compute.py: zero_grad, forward,
CrossEntropyLoss, backward, SGD(lr 0.001, momentum 0.9) step, loss.item().
Inference: model.eval(), torch.no_grad(). Inputs are random [N, 3, 32, 32].

Models: lenet5 and smallvgg from ../shared/bench/models.py (smallvgg is its "vgg");
resnet18 = torchvision resnet18(num_classes=10) with conv1 = Conv2d(3, 64, 3, 1, 1, bias=False)
and maxpool = Identity() (the 32x32 variant of the workbench zoo).

Usage: python bench_models_torch.py --threads 2 [--shared ../shared/bench]
"""
import argparse
import os
import resource
import sys
import time

import torch
import torch.nn as nn


def make(name, shared):
    if name == "resnet18":
        import torchvision

        m = torchvision.models.resnet18(num_classes=10)
        m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        m.maxpool = nn.Identity()
        return m
    sys.path.insert(0, shared)
    from models import MODELS  # noqa: E402

    return MODELS["vgg" if name == "smallvgg" else name]()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "bench"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    models = {}
    print(f"ready torch {torch.__version__} threads {torch.get_num_threads()}", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        if parts[0] == "rss":
            name, batch, steps = parts[1], int(parts[2]), int(parts[3])
            kind, warmup = "train", 0
        else:
            name, kind, batch, steps, warmup = parts[0], parts[1], int(parts[2]), int(parts[3]), int(parts[4])
        key = (name, kind)
        if key not in models:
            m = make(name, args.shared)
            opt = torch.optim.SGD(m.parameters(), lr=0.001, momentum=0.9)
            models[key] = (m, opt)
        m, opt = models[key]
        x = torch.randn(batch, 3, 32, 32)
        y = torch.randint(0, 10, (batch,))
        crit = nn.CrossEntropyLoss()
        if kind == "train":
            m.train()

            def step():
                opt.zero_grad()
                loss = crit(m(x), y)
                loss.backward()
                opt.step()
                loss.item()
        else:
            m.eval()

            def step():
                with torch.no_grad():
                    m(x).argmax(1)

        for _ in range(warmup):
            step()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        dt = time.perf_counter() - t0
        if parts[0] == "rss":
            print(f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}", flush=True)
        else:
            print(f"{steps * batch / dt:.2f}", flush=True)


if __name__ == "__main__":
    main()
