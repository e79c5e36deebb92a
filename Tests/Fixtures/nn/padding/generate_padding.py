"""PyTorch reference values for the padding layers and F.pad modes (PaddingTests.swift).

Run from the repository root (needs torch; only for generating):
    python3 Tests/Fixtures/nn/padding/generate_padding.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(7)


def t(x):
    x = x.detach().float().contiguous()
    return {"shape": list(x.shape), "data": [round(float(v), 7) for v in x.flatten().tolist()]}


cases = {}


def case(name, fn, shape, repr_=None):
    x = torch.randn(*shape, requires_grad=True)
    out = fn(x)
    gy = torch.randn_like(out)
    (dx,) = torch.autograd.grad(out, [x], gy)
    d = {"x": t(x), "gy": t(gy), "out": t(out), "dx": t(dx)}
    if repr_ is not None:
        d["repr"] = repr_
    cases[name] = d


def mcase(name, m, shape):
    case(name, m, shape, repr(m))


mcase("reflect1d", nn.ReflectionPad1d((2, 1)), (2, 2, 4))
mcase("reflect1d_nobatch", nn.ReflectionPad1d(3), (3, 5))
mcase("reflect2d", nn.ReflectionPad2d((1, 2, 2, 0)), (1, 2, 3, 4))
mcase("reflect3d", nn.ReflectionPad3d(1), (1, 1, 2, 3, 3))
mcase("replicate1d", nn.ReplicationPad1d((3, 1)), (2, 3, 2))
mcase("replicate2d", nn.ReplicationPad2d((2, 0, 1, 3)), (1, 2, 2, 3))
mcase("replicate3d", nn.ReplicationPad3d((1, 0, 2, 1, 0, 2)), (2, 1, 2, 2, 3))
mcase("zero1d", nn.ZeroPad1d((1, 2)), (2, 3))
mcase("zero2d", nn.ZeroPad2d((1, 1, 2, 0)), (1, 2, 2, 3))
mcase("zero3d", nn.ZeroPad3d(1), (1, 1, 2, 2, 2))
mcase("const1d", nn.ConstantPad1d((2, 1), 3.5), (2, 3))
mcase("const2d", nn.ConstantPad2d(1, -1.5), (1, 2, 2))
mcase("const3d", nn.ConstantPad3d((1, 0, 0, 1, 1, 0), 0.5), (1, 2, 2, 2))
case("circular1d", lambda x: F.pad(x, (2, 3), mode="circular"), (1, 2, 3))
case("circular2d", lambda x: F.pad(x, (1, 2, 2, 1), mode="circular"), (2, 1, 3, 3))
case("circular3d", lambda x: F.pad(x, (1, 1, 0, 1, 1, 0), mode="circular"), (1, 1, 2, 2, 2))
case("circular_negative", lambda x: F.pad(x, (-1, 2), mode="circular"), (1, 1, 4))
case("replicate_negative", lambda x: F.pad(x, (1, -2, -1, 1), mode="replicate"), (1, 3, 4))
case("reflect_full", lambda x: F.pad(x, (3, 3, 1, 1), mode="reflect"), (1, 2, 2, 4))

with open(os.path.join(HERE, "padding.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
