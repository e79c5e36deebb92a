"""PyTorch reference values for the normalization layers (NormalizationCatalogueTests.swift).

Run from the repository root (needs torch; only for generating):
    python3 Tests/Fixtures/nn/normalization/generate_normalization.py
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(11)


def t(x):
    x = x.detach().float().contiguous()
    return {"shape": list(x.shape), "data": [round(float(v), 7) for v in x.flatten().tolist()]}


cases = {}


def case(name, m, shape, train=True, steps=1):
    """Random affine params, `steps` forward passes (running stats), grads of the last."""
    m.train(train)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn_like(p) * 0.5 + (1.0 if p.dim() and p is getattr(m, "weight", None) else 0.0))
        for bname, b in m.named_buffers():
            if "running_mean" in bname:
                b.copy_(torch.randn_like(b) * 0.3)
            if "running_var" in bname:
                b.copy_(torch.rand_like(b) + 0.5)
    d = {"repr": repr(m)}
    for n, p in m.named_parameters():
        d[n] = t(p)
    for n, b in m.named_buffers():
        if b.dtype == torch.float32:
            d["init_" + n] = t(b)
    for _ in range(steps - 1):
        with torch.no_grad():
            m(torch.randn(*shape))
    x = torch.randn(*shape, requires_grad=True)
    out = m(x)
    gy = torch.randn_like(out)
    params = [p for _, p in m.named_parameters()]
    grads = torch.autograd.grad(out, [x] + params, gy)
    d.update({"x": t(x), "gy": t(gy), "out": t(out), "dx": t(grads[0])})
    for (n, _), g in zip(m.named_parameters(), grads[1:]):
        d["d" + n] = t(g)
    for n, b in m.named_buffers():
        if b.dtype == torch.float32:
            d["after_" + n] = t(b)
    cases[name] = d


case("batchnorm3d", nn.BatchNorm3d(3), (2, 3, 2, 2, 3))
case("batchnorm3d_eval", nn.BatchNorm3d(2, affine=False), (2, 2, 2, 1, 3), train=False)
case("syncbatchnorm", nn.SyncBatchNorm(3, momentum=0.2), (4, 3, 5))
case("groupnorm", nn.GroupNorm(2, 4), (2, 4, 3))
case("groupnorm_4d", nn.GroupNorm(3, 6, eps=1e-3), (1, 6, 2, 3))
case("groupnorm_noaffine", nn.GroupNorm(1, 3, affine=False), (2, 3, 4))
case("layernorm", nn.LayerNorm(5), (3, 5))
case("layernorm_2d", nn.LayerNorm([3, 4], eps=1e-4), (2, 3, 4))
case("layernorm_nobias", nn.LayerNorm(4, bias=False), (2, 3, 4))
case("layernorm_noaffine", nn.LayerNorm(6, elementwise_affine=False), (2, 6))
case("instancenorm1d", nn.InstanceNorm1d(3), (2, 3, 5))
case("instancenorm1d_unbatched", nn.InstanceNorm1d(3, affine=True), (3, 6))
case("instancenorm2d_affine_track", nn.InstanceNorm2d(2, affine=True, track_running_stats=True), (3, 2, 2, 3))
case("instancenorm2d_eval_track", nn.InstanceNorm2d(2, track_running_stats=True), (2, 2, 3, 3), train=False)
case("instancenorm3d", nn.InstanceNorm3d(2, affine=True), (2, 2, 2, 2, 2))
case("lrn", nn.LocalResponseNorm(3, alpha=0.1, beta=0.6, k=1.5), (2, 5, 3))
case("lrn_4d", nn.LocalResponseNorm(2), (1, 4, 2, 3))
case("lrn_5d", nn.LocalResponseNorm(4, alpha=0.5), (1, 5, 2, 1, 2))

with open(os.path.join(HERE, "normalization.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
