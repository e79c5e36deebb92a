"""PyTorch's printed form (repr) of layers built with non-default arguments:
odd kernels, tuples, None sizes, int and float values, flags. Read by
Tests/TensorsTests/LayerReprTests.swift, which builds the same layers with
the same arguments (keys match).

Run from the repository root (needs torch; only for generating):
    python3 Tests/Fixtures/nn/reprs/make_reprs.py
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))

layers = {
    "Linear": nn.Linear(3, 5, bias=False),
    "Bilinear": nn.Bilinear(2, 3, 4, bias=False),
    "Conv1d": nn.Conv1d(3, 6, 3, stride=2, padding=1, dilation=2, groups=3, bias=False, padding_mode="reflect"),
    "Conv2d": nn.Conv2d(2, 4, (3, 5), stride=(2, 1), padding=(1, 2), groups=2, padding_mode="circular"),
    "Conv2d_same": nn.Conv2d(2, 4, 3, padding="same", bias=False),
    "Conv2d_valid": nn.Conv2d(2, 4, 3, padding="valid", dilation=2),
    "Conv3d": nn.Conv3d(2, 4, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1), padding_mode="replicate"),
    "ConvTranspose1d": nn.ConvTranspose1d(2, 4, 3, stride=2, padding=1, output_padding=1),
    "ConvTranspose2d": nn.ConvTranspose2d(4, 2, (3, 4), stride=2, padding=(1, 0), output_padding=1, groups=2, bias=False),
    "ConvTranspose3d": nn.ConvTranspose3d(2, 2, 3, stride=2, dilation=2),
    "Unfold": nn.Unfold(kernel_size=(2, 3), dilation=2, padding=1, stride=2),
    "Fold": nn.Fold(output_size=(5, 6), kernel_size=2, stride=1),
    "MaxPool1d": nn.MaxPool1d(3, stride=2, padding=1, dilation=2, return_indices=True, ceil_mode=True),
    "MaxPool2d": nn.MaxPool2d((3, 2), stride=(2, 1), padding=1, ceil_mode=True),
    "MaxPool3d": nn.MaxPool3d(2, stride=1),
    "MaxUnpool2d": nn.MaxUnpool2d(2, stride=2, padding=1),
    "AvgPool1d": nn.AvgPool1d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    "AvgPool2d": nn.AvgPool2d(3, stride=2, padding=1, divisor_override=2),
    "AvgPool3d": nn.AvgPool3d((1, 2, 2), stride=(1, 2, 2), count_include_pad=False),
    "FractionalMaxPool2d": nn.FractionalMaxPool2d(3, output_size=(4, 5), return_indices=True),
    "LPPool1d": nn.LPPool1d(3, 2, stride=1, ceil_mode=True),
    "LPPool2d": nn.LPPool2d(1.5, (2, 3)),
    "AdaptiveMaxPool1d": nn.AdaptiveMaxPool1d(3, return_indices=True),
    "AdaptiveMaxPool2d": nn.AdaptiveMaxPool2d((None, 3)),
    "AdaptiveAvgPool2d": nn.AdaptiveAvgPool2d((4, None)),
    "AdaptiveAvgPool3d": nn.AdaptiveAvgPool3d((2, None, 3)),
    "ReflectionPad2d": nn.ReflectionPad2d((1, 2, 0, 1)),
    "ReplicationPad1d": nn.ReplicationPad1d((2, 1)),
    "ZeroPad2d": nn.ZeroPad2d((1, 0, 2, 3)),
    "ConstantPad2d": nn.ConstantPad2d((1, 2, 3, 4), 3.5),
    "ConstantPad1d": nn.ConstantPad1d(2, -1.0),
    "BatchNorm1d": nn.BatchNorm1d(6, eps=1e-3, momentum=None, affine=False, track_running_stats=False),
    "BatchNorm2d": nn.BatchNorm2d(3, momentum=0.01),
    "SyncBatchNorm": nn.SyncBatchNorm(3, eps=1e-4),
    "InstanceNorm2d": nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
    "GroupNorm": nn.GroupNorm(3, 6, eps=1e-6, affine=False),
    "LayerNorm": nn.LayerNorm([4, 5], eps=1e-6, elementwise_affine=False),
    "LayerNorm_nobias": nn.LayerNorm(4, bias=False),
    "LocalResponseNorm": nn.LocalResponseNorm(3, alpha=0.001, beta=0.5, k=2.0),
    "Dropout": nn.Dropout(p=0.25, inplace=True),
    "Dropout2d": nn.Dropout2d(0.1),
    "AlphaDropout": nn.AlphaDropout(0.2),
    "PixelShuffle": nn.PixelShuffle(3),
    "Upsample_size": nn.Upsample(size=(4, 6), mode="bilinear", align_corners=True),
    "Upsample_scales": nn.Upsample(scale_factor=(2.0, 1.5), mode="bicubic"),
    "Upsample_linear": nn.Upsample(size=5, mode="linear"),
    "UpsamplingBilinear2d": nn.UpsamplingBilinear2d(size=(3, 4)),
    "ELU": nn.ELU(alpha=0.5, inplace=True),
    "CELU": nn.CELU(2.0),
    "Hardshrink": nn.Hardshrink(0.25),
    "Softshrink": nn.Softshrink(1.0),
    "Hardtanh": nn.Hardtanh(-2.0, 3.5),
    "RReLU": nn.RReLU(0.1, 0.3),
    "LeakyReLU": nn.LeakyReLU(0.2, inplace=True),
    "PReLU": nn.PReLU(3, init=0.1),
    "Softplus": nn.Softplus(beta=2.0, threshold=10.0),
    "Threshold": nn.Threshold(0.5, -1.0, inplace=True),
    "GELU": nn.GELU(approximate="tanh"),
    "Softmin": nn.Softmin(dim=0),
    "Softmax": nn.Softmax(),
    "LogSoftmax": nn.LogSoftmax(dim=2),
    "GLU": nn.GLU(dim=1),
    "ReLU": nn.ReLU(inplace=True),
    "ReLU6": nn.ReLU6(inplace=True),
    "SELU": nn.SELU(inplace=True),
    "SiLU": nn.SiLU(inplace=True),
    "Mish": nn.Mish(inplace=True),
    "Hardswish": nn.Hardswish(inplace=True),
    "Hardsigmoid": nn.Hardsigmoid(inplace=True),
    "Flatten": nn.Flatten(0, 2),
    "Unflatten": nn.Unflatten(-1, (2, 3, 1)),
    "Embedding": nn.Embedding(10, 3, padding_idx=0, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True),
    "EmbeddingBag": nn.EmbeddingBag(10, 3, mode="sum", padding_idx=1),
    "CosineSimilarity": nn.CosineSimilarity(dim=0, eps=1e-6),
    "PairwiseDistance": nn.PairwiseDistance(p=1.0, keepdim=True),
    "LSTM": nn.LSTM(4, 8, num_layers=2, dropout=0.25, bidirectional=True),
    "GRU": nn.GRU(3, 5, bias=False, batch_first=True),
    "RNN": nn.RNN(3, 4, nonlinearity="relu"),
    "MultiheadAttention": nn.MultiheadAttention(8, 2, dropout=0.1, bias=False, kdim=4, vdim=6),
}

out = {"torch": torch.__version__, "reprs": {name: repr(m) for name, m in layers.items()}}
with open(os.path.join(HERE, "reprs.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
