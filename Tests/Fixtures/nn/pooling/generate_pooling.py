"""PyTorch reference values for the pooling layers (PoolingNdTests.swift).

Run from the repository root (needs torch; only for generating):
    python3 Tests/Fixtures/nn/pooling/generate_pooling.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(5)


def t(x):
    x = x.detach().float().contiguous()
    return {"shape": list(x.shape), "data": [round(float(v), 7) for v in x.flatten().tolist()]}


cases = {}


def case(name, m, shape, positive=False):
    x = torch.randn(*shape)
    if positive:
        x = x.abs() + 0.2
    x.requires_grad_(True)
    res = m(x)
    out, idx = (res if isinstance(res, tuple) else (res, None))
    gy = torch.randn_like(out)
    (dx,) = torch.autograd.grad(out, [x], gy)
    d = {"repr": repr(m), "x": t(x), "gy": t(gy), "out": t(out), "dx": t(dx)}
    if idx is not None:
        d["indices"] = idx.flatten().tolist()
    cases[name] = d


case("maxpool1d", nn.MaxPool1d(3, stride=2, padding=1), (2, 3, 8))
case("maxpool1d_dil_ceil", nn.MaxPool1d(2, stride=2, dilation=2, ceil_mode=True, return_indices=True), (1, 2, 9))
case("maxpool2d_indices", nn.MaxPool2d(2, stride=(1, 2), padding=1, return_indices=True), (1, 2, 4, 5))
case("maxpool3d", nn.MaxPool3d((2, 2, 1), stride=(1, 2, 1), return_indices=True), (2, 1, 3, 4, 3))
case("maxpool3d_pad_ceil", nn.MaxPool3d(3, stride=2, padding=1, ceil_mode=True), (1, 2, 4, 5, 5))
case("avgpool1d", nn.AvgPool1d(3, stride=2, padding=1), (2, 2, 7))
case("avgpool1d_ceil_nopad", nn.AvgPool1d(2, stride=2, padding=1, ceil_mode=True, count_include_pad=False), (1, 2, 6))
case("avgpool3d", nn.AvgPool3d(2, stride=(1, 2, 2), padding=(1, 0, 1)), (1, 2, 3, 4, 4))
case("avgpool3d_divisor_ceil", nn.AvgPool3d((2, 3, 2), stride=2, ceil_mode=True, divisor_override=5), (2, 1, 3, 5, 4))
case("avgpool3d_nopad", nn.AvgPool3d(3, stride=2, padding=1, count_include_pad=False), (1, 1, 4, 4, 5))
case("lppool1d", nn.LPPool1d(2, 3, stride=2), (2, 2, 7), positive=True)
case("lppool2d", nn.LPPool2d(1.5, (2, 3), stride=(1, 2), ceil_mode=True), (1, 2, 4, 7), positive=True)
case("adaptivemax1d", nn.AdaptiveMaxPool1d(3, return_indices=True), (2, 2, 7))
case("adaptivemax2d", nn.AdaptiveMaxPool2d((2, None)), (1, 3, 5, 4))
case("adaptivemax3d", nn.AdaptiveMaxPool3d((2, 3, 2), return_indices=True), (1, 2, 3, 5, 4))
case("adaptiveavg1d", nn.AdaptiveAvgPool1d(4), (2, 3, 7))
case("adaptiveavg3d", nn.AdaptiveAvgPool3d((None, 2, 3)), (1, 2, 3, 5, 4))

# Unpooling: inputs and indices from a max pool.
for name, pool, unpool, shape in [
    ("unpool1d", nn.MaxPool1d(2, return_indices=True), nn.MaxUnpool1d(2), (2, 2, 6)),
    ("unpool2d", nn.MaxPool2d(2, stride=2, return_indices=True), nn.MaxUnpool2d(2, stride=2), (1, 2, 4, 5)),
    ("unpool3d", nn.MaxPool3d((1, 2, 2), return_indices=True), nn.MaxUnpool3d((1, 2, 2)), (1, 1, 2, 4, 4)),
]:
    y, idx = pool(torch.randn(*shape))
    x = y.detach().clone().requires_grad_(True)
    out = unpool(x, idx, output_size=list(shape[-(len(shape) - 2):]) if name == "unpool2d" else None)
    gy = torch.randn_like(out)
    (dx,) = torch.autograd.grad(out, [x], gy)
    cases[name] = {"repr": repr(unpool), "x": t(x), "indices": idx.flatten().tolist(), "gy": t(gy), "out": t(out), "dx": t(dx)}


# Fractional max pooling with fixed random samples (width sample first).
for name, kernel, kwargs, shape in [("fractional", 2, {"output_size": (3, 4)}, (2, 2, 5, 7)),
                                    ("fractional_ratio", (3, 2), {"output_ratio": (0.5, 0.6)}, (1, 3, 8, 9))]:
    x = torch.randn(*shape, requires_grad=True)
    samples = torch.rand(shape[0], shape[1], 2)
    out, idx = F.fractional_max_pool2d(x, kernel, return_indices=True, _random_samples=samples, **kwargs)
    gy = torch.randn_like(out)
    (dx,) = torch.autograd.grad(out, [x], gy)
    cases[name] = {"x": t(x), "samples": t(samples), "indices": idx.flatten().tolist(), "gy": t(gy), "out": t(out), "dx": t(dx)}

# Stride larger than the kernel (windows skip elements), batch 1.
case("maxpool3d_stride_gt_kernel", nn.MaxPool3d((1, 2, 2), stride=(2, 3, 3)), (1, 1, 3, 7, 8))
case("avgpool1d_stride_gt_kernel", nn.AvgPool1d(2, stride=3), (1, 2, 8))

with open(os.path.join(HERE, "pooling.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
