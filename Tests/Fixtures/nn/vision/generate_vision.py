"""PyTorch reference values for PixelShuffle/Unshuffle, Upsample and Bilinear (VisionTests.swift).

Run from the repository root (needs torch; only for generating):
    python3 Tests/Fixtures/nn/vision/generate_vision.py
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(9)


def t(x):
    x = x.detach().float().contiguous()
    return {"shape": list(x.shape), "data": [round(float(v), 7) for v in x.flatten().tolist()]}


cases = {}


def case(name, m, shape):
    x = torch.randn(*shape, requires_grad=True)
    out = m(x)
    gy = torch.randn_like(out)
    (dx,) = torch.autograd.grad(out, [x], gy)
    cases[name] = {"repr": repr(m), "x": t(x), "gy": t(gy), "out": t(out), "dx": t(dx)}


case("pixelshuffle", nn.PixelShuffle(2), (2, 8, 2, 3))
case("pixelshuffle_3d", nn.PixelShuffle(3), (9, 2, 2))
case("pixelunshuffle", nn.PixelUnshuffle(2), (1, 2, 4, 6))
case("nearest1d", nn.Upsample(scale_factor=2.5), (1, 2, 4))
case("nearest2d_size", nn.Upsample(size=(5, 3)), (2, 1, 3, 4))
case("nearest3d", nn.Upsample(scale_factor=(1.0, 2.0, 1.5)), (1, 1, 2, 2, 3))
case("linear", nn.Upsample(scale_factor=1.7, mode="linear"), (2, 2, 5))
case("linear_align", nn.Upsample(size=7, mode="linear", align_corners=True), (1, 2, 4))
case("bilinear", nn.Upsample(size=(5, 7), mode="bilinear"), (1, 2, 3, 4))
case("bilinear_down", nn.Upsample(scale_factor=0.6, mode="bilinear"), (1, 1, 5, 6))
case("bicubic", nn.Upsample(scale_factor=2, mode="bicubic"), (1, 2, 3, 3))
case("bicubic_align", nn.Upsample(size=(4, 6), mode="bicubic", align_corners=True), (1, 1, 3, 4))
case("trilinear", nn.Upsample(scale_factor=(2, 1.5, 2), mode="trilinear"), (1, 1, 2, 2, 3))
case("upsampling_nearest2d", nn.UpsamplingNearest2d(scale_factor=3), (1, 2, 2, 2))
case("upsampling_bilinear2d", nn.UpsamplingBilinear2d(size=(4, 5)), (1, 2, 3, 3))

bl = nn.Bilinear(4, 3, 2)
x1 = torch.randn(5, 4, requires_grad=True)
x2 = torch.randn(5, 3, requires_grad=True)
out = bl(x1, x2)
gy = torch.randn_like(out)
g = torch.autograd.grad(out, [x1, x2, bl.weight, bl.bias], gy)
cases["bilinear_layer"] = {"repr": repr(bl), "x1": t(x1), "x2": t(x2), "weight": t(bl.weight), "bias": t(bl.bias),
                           "gy": t(gy), "out": t(out), "dx1": t(g[0]), "dx2": t(g[1]), "dweight": t(g[2]), "dbias": t(g[3])}

with open(os.path.join(HERE, "vision.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
