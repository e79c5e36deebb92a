"""PyTorch reference values for Conv1d/Conv3d, the transposed convolutions,
padding_mode, Unfold and Fold (ConvNdTests.swift).

Run from the repository root (needs torch; only for generating):
    python3 Tests/Fixtures/nn/conv/generate_conv.py
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(3)


def t(x):
    x = x.detach().float().contiguous()
    return {"shape": list(x.shape), "data": [round(float(v), 7) for v in x.flatten().tolist()]}


cases = {}


def case(name, m, shape):
    x = torch.randn(*shape, requires_grad=True)
    out = m(x)
    gy = torch.randn_like(out)
    params = list(m.named_parameters())
    grads = torch.autograd.grad(out, [x] + [p for _, p in params], gy)
    d = {"repr": repr(m), "x": t(x), "gy": t(gy), "out": t(out), "dx": t(grads[0])}
    for (n, p), g in zip(params, grads[1:]):
        d[n] = t(p)
        d["d" + n] = t(g)
    cases[name] = d


case("conv1d", nn.Conv1d(3, 4, 3, padding=1), (2, 3, 7))
case("conv1d_strided_groups", nn.Conv1d(4, 6, 3, stride=2, dilation=2, groups=2, bias=False), (1, 4, 9))
case("conv1d_same_reflect", nn.Conv1d(2, 3, 4, padding="same", padding_mode="reflect"), (2, 2, 6))
case("conv1d_circular", nn.Conv1d(2, 2, 3, padding=2, padding_mode="circular"), (1, 2, 5))
case("conv1d_unbatched", nn.Conv1d(2, 3, 2), (2, 5))
case("conv3d", nn.Conv3d(2, 3, (2, 3, 2), stride=(1, 2, 1), padding=(1, 0, 1)), (2, 2, 3, 5, 4))
case("conv3d_groups_dilation", nn.Conv3d(4, 4, 2, dilation=(1, 2, 1), groups=2), (1, 4, 3, 5, 3))
case("conv3d_same_replicate", nn.Conv3d(1, 2, (2, 3, 3), padding="same", padding_mode="replicate"), (1, 1, 3, 4, 4))
case("conv3d_same_zeros", nn.Conv3d(1, 2, (2, 2, 3), padding="same"), (1, 1, 3, 3, 3))
case("conv2d_reflect", nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="reflect"), (1, 2, 4, 5))
case("conv2d_circular", nn.Conv2d(1, 2, (2, 3), padding=1, padding_mode="circular"), (2, 1, 3, 3))
case("convt1d", nn.ConvTranspose1d(3, 2, 3, stride=2, padding=1, output_padding=1), (2, 3, 4))
case("convt1d_groups", nn.ConvTranspose1d(4, 6, 2, stride=3, groups=2, dilation=2, bias=False), (1, 4, 3))
case("convt2d", nn.ConvTranspose2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0)), (2, 2, 3, 4))
case("convt2d_outpad_groups", nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2), (1, 4, 2, 3))
case("convt2d_unbatched", nn.ConvTranspose2d(2, 2, 2), (2, 3, 3))
case("convt3d", nn.ConvTranspose3d(2, 2, (2, 2, 3), stride=(1, 2, 2), padding=(0, 1, 1), output_padding=(0, 1, 0)), (1, 2, 2, 3, 3))
case("unfold", nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), (2, 2, 4, 5))
case("fold", nn.Fold((4, 5), (2, 2), padding=(1, 0), stride=(1, 2)), (2, 8, 10))

# Stride larger than the kernel, non-square, batch 1.
case("conv3d_stride_gt_kernel", nn.Conv3d(2, 2, (1, 2, 2), stride=(2, 3, 3)), (1, 2, 3, 7, 8))
case("convt3d_stride_gt_kernel", nn.ConvTranspose3d(2, 1, (1, 2, 2), stride=(2, 3, 3)), (1, 2, 2, 3, 2))

with open(os.path.join(HERE, "conv.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
