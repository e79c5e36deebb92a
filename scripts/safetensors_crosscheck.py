#!/usr/bin/env python3
"""Cross-checks workbench's safetensors files against the reference Python library.

    python3 scripts/safetensors_crosscheck.py check PATH       # a file workbench wrote
    python3 scripts/safetensors_crosscheck.py write PATH       # write a file for workbench to read
    python3 scripts/safetensors_crosscheck.py checkpoint PATH  # a workbench checkpoint

`check` loads PATH with safetensors.torch.load_file and compares it with
WORKBENCH_EXPECTED below, which SafetensorsTests builds with the same formulas.
`write` saves TORCH_WRITTEN with safetensors.torch.save_file; SafetensorsTests
checks what workbench reads. `checkpoint` loads a checkpoint file and checks its
layout (model.* tensors, metadata format). Prints "ok" and exits 0 on success;
prints what differs and exits 1 otherwise.
"""
import json
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file


def workbench_expected():
    """What SafetensorsTests.testPythonCrossCheck writes (same order, same formulas)."""
    return {
        "features.0.weight": (torch.arange(12, dtype=torch.float32) - 5) * 0.125,
        "features.0.bias": torch.arange(4, dtype=torch.float32) * 1.5 - 2,
        "scalar": torch.tensor(3.25),
        "empty": torch.zeros(0),
        "bn.running_var": torch.tensor([1.0, 0.5, 0.25]),
    }, {"features.0.weight": [4, 3]}, {"source": "workbench", "epoch": "7", "note": "ünï \"q\"\n"}


def torch_written():
    return {
        "a": (torch.arange(6, dtype=torch.float32) * 0.5 - 1).reshape(2, 3),
        "b": torch.arange(4, dtype=torch.float32).to(torch.float16) * 0.25 - 0.5,
        "c": torch.tensor([-2.0, 0.5, 8.0], dtype=torch.bfloat16),
        "d": torch.tensor([1 / 3, -2.5], dtype=torch.float64),
        "n": torch.tensor(42, dtype=torch.int64),
        "m": torch.tensor([True, False]),
    }, {"writer": "torch"}


def check(path):
    expected, shapes, meta = workbench_expected()
    got = load_file(path)
    errors = []
    if set(got) != set(expected):
        errors.append(f"names {sorted(got)} != {sorted(expected)}")
    for name, value in expected.items():
        value = value.reshape(shapes.get(name, list(value.shape)))
        t = got.get(name)
        if t is None:
            continue
        if t.dtype != torch.float32:
            errors.append(f"{name}: dtype {t.dtype}, expected float32")
        elif list(t.shape) != list(value.shape):
            errors.append(f"{name}: shape {list(t.shape)}, expected {list(value.shape)}")
        elif not torch.equal(t, value):
            errors.append(f"{name}: values {t.tolist()} != {value.tolist()}")
    with safe_open(path, framework="pt") as f:
        if f.metadata() != meta:
            errors.append(f"metadata {f.metadata()} != {meta}")
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        if (8 + n) % 8 != 0:
            errors.append(f"header size {n} leaves the data unaligned")
    return errors


def checkpoint(path):
    got = load_file(path)
    errors = []
    with safe_open(path, framework="pt") as f:
        meta = f.metadata() or {}
    if meta.get("format") != "workbench.checkpoint":
        errors.append(f"metadata format is {meta.get('format')!r}")
    info = json.loads(meta.get("checkpoint", "{}"))
    if info.get("epoch") != 3 or info.get("globalStep") != 99:
        errors.append(f"epoch/globalStep are {info.get('epoch')}/{info.get('globalStep')}")
    if not torch.equal(got.get("model.w", torch.zeros(0)), torch.tensor([1.0, 2.0, 3.0])):
        errors.append("model.w differs")
    if "optimizer.state.0.exp_avg" not in got:
        errors.append(f"no optimizer.state.0.exp_avg in {sorted(got)}")
    return errors


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "write", "checkpoint"):
        print(__doc__)
        return 2
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "write":
        tensors, meta = torch_written()
        save_file(tensors, path, metadata=meta)
        print("ok")
        return 0
    errors = check(path) if mode == "check" else checkpoint(path)
    for e in errors:
        print(e)
    if not errors:
        print("ok")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
