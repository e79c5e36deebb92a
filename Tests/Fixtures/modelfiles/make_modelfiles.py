"""Builds blocks.model.yaml's model in PyTorch (same layers, same keys) and
writes blocks_io.safetensors: its state dict, an input batch `input` and the
eval-mode output `output`. Run with the torch venv:
    /tmp/torchenv/bin/python Tests/Fixtures/modelfiles/make_modelfiles.py
"""
import os

import torch
from safetensors.torch import save_file
from torch import nn


class Residual(nn.Sequential):
    def forward(self, x):
        return x + super().forward(x)


class Add(nn.ModuleList):
    def forward(self, x):
        outs = [m(x) for m in self]
        return sum(outs[1:], outs[0])


class Concat(nn.ModuleList):
    def __init__(self, modules, dim=1):
        super().__init__(modules)
        self.dim = dim

    def forward(self, x):
        return torch.cat([m(x) for m in self], dim=self.dim)


def blocks(classes=10):
    return nn.Sequential(
        nn.Conv2d(3, 8, kernel_size=3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        Residual(nn.Conv2d(8, 8, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(8), nn.Tanh()),
        Add([nn.Sequential(nn.Conv2d(8, 6, 1)),
             nn.Sequential(nn.Conv2d(8, 6, kernel_size=3, padding="same"), nn.LeakyReLU(0.2))]),
        Concat([nn.MaxPool2d(2), nn.AvgPool2d(2)], dim=1),
        nn.Sequential(nn.Flatten(), nn.Linear(12 * 4 * 4, 16), nn.GELU(approximate="tanh"), nn.Dropout(0.1)),
        nn.Linear(16, classes),
    )


def main():
    torch.manual_seed(0)
    model = blocks()
    # Non-trivial running statistics: a few training-mode passes.
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, 3, 8, 8))
    model.eval()
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        y = model(x)
    tensors = {k: v.contiguous() for k, v in model.state_dict().items()}
    tensors["input"] = x
    tensors["output"] = y
    here = os.path.dirname(os.path.abspath(__file__))
    save_file(tensors, os.path.join(here, "blocks_io.safetensors"))
    print(sum(p.numel() for p in model.parameters()), "parameters")
    print("\n".join(model.state_dict().keys()))


if __name__ == "__main__":
    main()
