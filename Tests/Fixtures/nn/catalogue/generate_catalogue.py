"""PyTorch's printed form and state-dict keys/shapes of every LayerCatalogue
example (Sources/Tensors/NN/LayerCatalogue.swift uses the same arguments),
read by LayerCatalogueTests.swift.

Run from the repository root (needs torch; only for generating):
    python3 Tests/Fixtures/nn/catalogue/generate_catalogue.py
"""
import json
import os

import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))

examples = {
    "Identity": nn.Identity(), "Linear": nn.Linear(4, 2), "Bilinear": nn.Bilinear(4, 3, 2),
    "Conv1d": nn.Conv1d(2, 4, 3), "Conv2d": nn.Conv2d(2, 4, 3), "Conv3d": nn.Conv3d(2, 4, 3),
    "ConvTranspose1d": nn.ConvTranspose1d(2, 4, 3), "ConvTranspose2d": nn.ConvTranspose2d(2, 4, 3),
    "ConvTranspose3d": nn.ConvTranspose3d(2, 4, 3), "Unfold": nn.Unfold(2), "Fold": nn.Fold((4, 4), 2),
    "MaxPool1d": nn.MaxPool1d(2), "MaxPool2d": nn.MaxPool2d(2), "MaxPool3d": nn.MaxPool3d(2),
    "MaxUnpool1d": nn.MaxUnpool1d(2), "MaxUnpool2d": nn.MaxUnpool2d(2), "MaxUnpool3d": nn.MaxUnpool3d(2),
    "AvgPool1d": nn.AvgPool1d(2), "AvgPool2d": nn.AvgPool2d(2), "AvgPool3d": nn.AvgPool3d(2),
    "FractionalMaxPool2d": nn.FractionalMaxPool2d(2, output_ratio=(0.5, 0.5)),
    "LPPool1d": nn.LPPool1d(2, 2), "LPPool2d": nn.LPPool2d(2, 2),
    "AdaptiveMaxPool1d": nn.AdaptiveMaxPool1d(2), "AdaptiveMaxPool2d": nn.AdaptiveMaxPool2d(2),
    "AdaptiveMaxPool3d": nn.AdaptiveMaxPool3d(2), "AdaptiveAvgPool1d": nn.AdaptiveAvgPool1d(2),
    "AdaptiveAvgPool2d": nn.AdaptiveAvgPool2d(2), "AdaptiveAvgPool3d": nn.AdaptiveAvgPool3d(2),
    "ReflectionPad1d": nn.ReflectionPad1d(1), "ReflectionPad2d": nn.ReflectionPad2d(1), "ReflectionPad3d": nn.ReflectionPad3d(1),
    "ReplicationPad1d": nn.ReplicationPad1d(1), "ReplicationPad2d": nn.ReplicationPad2d(1),
    "ReplicationPad3d": nn.ReplicationPad3d(1), "ZeroPad1d": nn.ZeroPad1d(1), "ZeroPad2d": nn.ZeroPad2d(1),
    "ZeroPad3d": nn.ZeroPad3d(1), "ConstantPad1d": nn.ConstantPad1d(1, 0.5), "ConstantPad2d": nn.ConstantPad2d(1, 0.5),
    "ConstantPad3d": nn.ConstantPad3d(1, 0.5),
    "BatchNorm1d": nn.BatchNorm1d(4), "BatchNorm2d": nn.BatchNorm2d(4), "BatchNorm3d": nn.BatchNorm3d(4),
    "GroupNorm": nn.GroupNorm(2, 4), "SyncBatchNorm": nn.SyncBatchNorm(4), "InstanceNorm1d": nn.InstanceNorm1d(4),
    "InstanceNorm2d": nn.InstanceNorm2d(4), "InstanceNorm3d": nn.InstanceNorm3d(4), "LayerNorm": nn.LayerNorm(4),
    "LocalResponseNorm": nn.LocalResponseNorm(2),
    "Dropout": nn.Dropout(), "Dropout1d": nn.Dropout1d(), "Dropout2d": nn.Dropout2d(), "Dropout3d": nn.Dropout3d(),
    "AlphaDropout": nn.AlphaDropout(),
    "PixelShuffle": nn.PixelShuffle(2), "PixelUnshuffle": nn.PixelUnshuffle(2), "Upsample": nn.Upsample(scale_factor=2),
    "UpsamplingNearest2d": nn.UpsamplingNearest2d(scale_factor=2), "UpsamplingBilinear2d": nn.UpsamplingBilinear2d(scale_factor=2),
    "ELU": nn.ELU(), "Hardshrink": nn.Hardshrink(), "Hardsigmoid": nn.Hardsigmoid(), "Hardtanh": nn.Hardtanh(),
    "Hardswish": nn.Hardswish(), "LeakyReLU": nn.LeakyReLU(), "LogSigmoid": nn.LogSigmoid(), "PReLU": nn.PReLU(),
    "ReLU": nn.ReLU(), "ReLU6": nn.ReLU6(), "RReLU": nn.RReLU(), "SELU": nn.SELU(), "CELU": nn.CELU(), "GELU": nn.GELU(),
    "Sigmoid": nn.Sigmoid(), "SiLU": nn.SiLU(), "Mish": nn.Mish(), "Softplus": nn.Softplus(), "Softshrink": nn.Softshrink(),
    "Softsign": nn.Softsign(), "Tanh": nn.Tanh(), "Tanhshrink": nn.Tanhshrink(), "Threshold": nn.Threshold(0.1, 0.0),
    "GLU": nn.GLU(), "Softmin": nn.Softmin(dim=1), "Softmax": nn.Softmax(dim=1), "Softmax2d": nn.Softmax2d(),
    "LogSoftmax": nn.LogSoftmax(dim=1),
    "AdaptiveLogSoftmaxWithLoss": nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4]),
    "Flatten": nn.Flatten(), "Unflatten": nn.Unflatten(1, (2, 2)),
}

out = {name: {"repr": repr(m), "state": [[k, list(v.shape), str(v.dtype)] for k, v in m.state_dict().items()]}
       for name, m in examples.items()}
with open(os.path.join(HERE, "catalogue.json"), "w") as f:
    json.dump(out, f, indent=0, separators=(",", ":"))
