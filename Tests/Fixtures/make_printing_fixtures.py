#!/usr/bin/env python3
"""Generates printing.json: PyTorch's repr() of assorted tensors.

Run with a Python that has torch (python3 -m venv /tmp/torchenv &&
/tmp/torchenv/bin/pip install torch):

    /tmp/torchenv/bin/python Tests/Fixtures/make_printing_fixtures.py

Each case stores the exact float32 values (as decimal strings that round-trip),
the shape, whether the tensor requires grad, an op applied afterwards (to get a
grad_fn suffix), and the string PyTorch prints. PrintingTests.swift rebuilds
each tensor and compares its description with the stored string.
"""
import json
import math
import os

import torch

torch.manual_seed(0)
cases = []


def enc(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v))


def add(name, t, op="none", requires_grad=False):
    t = t.detach().clone()
    is_int = t.dtype == torch.int64
    if requires_grad:
        t.requires_grad_(True)
    shown = t
    if op == "mul2":
        shown = t * 2
    elif op == "sum":
        shown = t.sum()
    elif op == "relu":
        shown = t.relu()
    elif op != "none":
        raise ValueError(op)
    cases.append({
        "name": name,
        "dtype": "int64" if is_int else "float32",
        "shape": list(t.shape),
        "values": [int(v) if is_int else enc(v) for v in t.detach().reshape(-1).tolist()],
        "requires_grad": requires_grad,
        "op": op,
        "expected": repr(shown),
    })


f = torch.float32
add("matrix", torch.tensor([[0.1, 0.2], [1.0, 2.0]]))
add("int_mode", torch.tensor([1.0, 2.0, 3.0]))
add("scalar", torch.tensor(3.5))
add("scalar_int", torch.tensor(-2.0))
add("empty", torch.empty(0))
add("empty_2d", torch.empty(0, 3))
add("sci_small", torch.tensor([1e-5, 1.0]))
add("sci_large", torch.tensor([1e10, 1.0, -3.0]))
add("sci_ratio_ints", torch.tensor([1.0, 10000.0]))
add("sci_big_int", torch.tensor([123456789.0, 1.5]))
add("negatives", torch.tensor([-1.5, 2.25, -0.001]))
add("nonfinite", torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5]))
add("nonfinite_int_mode", torch.tensor([float("nan"), 1.0, 20.0]))
add("zeros", torch.zeros(2, 2))
add("neg_zero", torch.tensor([-0.0, 1.0]))
add("only_inf", torch.tensor([float("inf")]))
add("randn_rg", torch.randn(2, 3), requires_grad=True)
add("mul_grad_fn", torch.randn(3), op="mul2", requires_grad=True)
add("sum_grad_fn", torch.tensor([1.0, 2.0]), op="sum", requires_grad=True)
add("relu_grad_fn", torch.randn(2, 2), op="relu", requires_grad=True)
add("wrap_suffix", torch.randn(10), requires_grad=True)
add("wrap_vector", torch.linspace(0, 1, 30))
add("wrap_rows", torch.randn(3, 25))
add("three_d", torch.arange(24, dtype=f).reshape(2, 3, 4))
add("three_d_float", torch.randn(2, 2, 3))
add("big_vector", torch.arange(2000, dtype=f) * 0.5)
add("big_matrix", torch.randn(40, 50))
add("big_4d", torch.randn(10, 10, 10, 2))
add("big_tall", torch.randn(1001, 1))
add("big_sci", torch.randn(30, 40) * 1e-6)
add("small_positive", torch.tensor([0.00015, 0.5]))
add("int_vector", torch.tensor([1, 10, -100]))
add("int_matrix", torch.tensor([[1, 2], [30, 4]]))
add("int_big", torch.arange(2000).reshape(2, 1000))
add("int_empty", torch.empty(0, dtype=torch.int64))
add("int_scalar", torch.tensor(7))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "printing.json")
with open(out, "w") as fh:
    json.dump({"torch": torch.__version__, "cases": cases}, fh, indent=1)
print(f"wrote {len(cases)} cases to {out}")
