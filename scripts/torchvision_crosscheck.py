#!/usr/bin/env python3
"""Cross-checks workbench's model zoo against torchvision, in both directions.

    python3 scripts/torchvision_crosscheck.py export DIR [--size N] [--models a,b]
    python3 scripts/torchvision_crosscheck.py check  DIR [--models a,b]
    python3 scripts/torchvision_crosscheck.py both   DIR [--size N] [--models a,b]

Models (same structure and state-dict keys on both sides):
  vgg16              torchvision.models.vgg16()                 ~ VGG.vgg16()
  resnet18           torchvision resnet18(num_classes=10) with the CIFAR stem
                     (3x3 stride-1 conv1, maxpool = Identity)   ~ ResNet.resnet18(numClasses: 10, cifarStem: true),
                                                                  the zoo's `resnet18`
  resnet18_imagenet  torchvision.models.resnet18()              ~ ResNet.resnet18()

`export` (torch -> workbench): builds each model with torch.manual_seed(0),
gives every BatchNorm non-trivial running statistics and affine parameters,
and writes in DIR
  NAME.torch.safetensors     the state_dict, with safetensors.torch.save_file
  NAME.torch_io.safetensors  {"input": x, "output": model.eval()(x)}, x of shape [1, 3, N, N]
                             (N = 224, or 32 for resnet18; --size overrides)
TorchvisionCrossCheckTests loads the state dict into the workbench model by key
(strict) and compares its output with torch's.

`check` (workbench -> torch): reads what TorchvisionCrossCheckTests wrote in DIR
  NAME.workbench.safetensors     weights written by workbench (ModelFile.save, as `workbench train --save`)
  NAME.workbench_io.safetensors  {"input": x, "output": workbench's output}
loads the weights with safetensors.torch.load_file into the torchvision model
(load_state_dict, strict), runs the input in eval mode and compares.

`both` runs `export`, prints "exported", waits for a line on stdin (the
caller writes its files meanwhile), then runs `check`: one Python start-up
instead of two (what TorchvisionCrossCheckTests uses).

Prints one line per model and "ok"; exits 1 when an output differs by more
than 1e-4 of its largest magnitude (float32 sums in a different order), 2 on
usage errors. Needs torch, torchvision and safetensors (e.g. /tmp/torchenv).
"""
import argparse
import sys

import torch
import torchvision
from safetensors.torch import load_file, save_file

MODELS = ("vgg16", "resnet18", "resnet18_imagenet")
# Input height and width per model: torchvision's 224 for the ImageNet models,
# 32 for the CIFAR variant (the zoo's input shapes).
SIZES = {"vgg16": 224, "resnet18": 32, "resnet18_imagenet": 224}
RTOL = 1e-4


def build(name):
    if name == "vgg16":
        return torchvision.models.vgg16(weights=None)
    if name == "resnet18":
        m = torchvision.models.resnet18(weights=None, num_classes=10)
        m.conv1 = torch.nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        torch.nn.init.kaiming_normal_(m.conv1.weight, mode="fan_out", nonlinearity="relu")
        m.maxpool = torch.nn.Identity()
        return m
    if name == "resnet18_imagenet":
        return torchvision.models.resnet18(weights=None)
    raise SystemExit(f"unknown model {name!r} (expected one of {', '.join(MODELS)})")


def randomize_batchnorm(model, generator):
    """Running statistics and affine parameters away from their defaults, so a
    swapped or missing BatchNorm key changes the output."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(torch.randn(n, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(n, generator=generator) + 0.5)
                m.weight.copy_(torch.rand(n, generator=generator) + 0.5)
                m.bias.copy_(torch.randn(n, generator=generator) * 0.1)
                m.num_batches_tracked.fill_(7)


def compare(name, got, expected):
    if tuple(got.shape) != tuple(expected.shape):
        print(f"{name}: output shape {list(got.shape)}, expected {list(expected.shape)}")
        return False
    scale = expected.abs().max().item()
    diff = (got - expected).abs().max().item()
    ok = scale > 0 and diff <= RTOL * scale
    print(f"{name}: output {list(got.shape)}, max |diff| {diff:.3g} (scale {scale:.3g}) {'ok' if ok else 'MISMATCH'}")
    return ok


def export(directory, size, models):
    for name in models:
        torch.manual_seed(0)
        model = build(name)
        randomize_batchnorm(model, torch.Generator().manual_seed(1))
        model.eval()
        n = size or SIZES[name]
        x = torch.randn(1, 3, n, n, generator=torch.Generator().manual_seed(2))
        with torch.no_grad():
            y = model(x)
        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        save_file(state, f"{directory}/{name}.torch.safetensors", metadata={"format": "pt"})
        save_file({"input": x, "output": y}, f"{directory}/{name}.torch_io.safetensors")
        print(f"{name}: wrote {len(state)} tensors, output {list(y.shape)}")
    return True


def check(directory, models):
    ok = True
    for name in models:
        # No random init (it is overwritten): structure on the meta device, then uninitialised storage.
        with torch.device("meta"):
            model = build(name)
        model = model.to_empty(device="cpu")
        state = load_file(f"{directory}/{name}.workbench.safetensors")
        # workbench stores num_batches_tracked as float32; load_state_dict copies it into the int64 buffer.
        model.load_state_dict(state, strict=True)
        model.eval()
        io = load_file(f"{directory}/{name}.workbench_io.safetensors")
        with torch.no_grad():
            y = model(io["input"])
        ok = compare(name, y, io["output"]) and ok
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mode", choices=["export", "check", "both"])
    p.add_argument("directory")
    p.add_argument("--size", type=int, help="input height and width for export (default: 224 for vgg16 and "
                   "resnet18_imagenet, 32 for resnet18)")
    p.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of " + ", ".join(MODELS))
    a = p.parse_args()
    models = [m for m in a.models.split(",") if m]
    torch.set_num_threads(1)  # batch 1: one thread is faster than two on a shared 2-core machine
    if a.mode == "export":
        ok = export(a.directory, a.size, models)
    elif a.mode == "check":
        ok = check(a.directory, models)
    else:
        ok = export(a.directory, a.size, models)
        print("exported", flush=True)
        if not sys.stdin.readline():
            print("stdin closed before the check")
            return 2
        ok = check(a.directory, models) and ok
    if ok:
        print("ok")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
