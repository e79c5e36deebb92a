#!/usr/bin/env python3
"""Writes torch_mixed.safetensors, the PyTorch-made file SafetensorsTests reads.

Run from the repository root with torch and safetensors installed:

    python3 Tests/Fixtures/safetensors/generate_safetensors_fixture.py

The values are chosen to be exact in their dtypes (or to show the rounding to
Float32 that loading does); SafetensorsTests lists the expected Float values.
"""
import os

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))

tensors = {
    "weight": (torch.arange(6, dtype=torch.float32) * 0.25 - 1.5).reshape(2, 3),
    "half": torch.tensor([0.5, -2.0, 65504.0, 2.0 ** -14, 2.0 ** -24], dtype=torch.float16),
    "bf": torch.tensor([[1.0, -3.5], [0.0078125, 256.0]], dtype=torch.bfloat16),
    "double": torch.tensor([0.1, -1e10, 3.0], dtype=torch.float64),
    "bn.num_batches_tracked": torch.tensor(12345, dtype=torch.int64),
    "int32": torch.tensor([-7, 0, 2147483647], dtype=torch.int32),
    "int16": torch.tensor([-32768, 5], dtype=torch.int16),
    "i8": torch.tensor([-128, 127], dtype=torch.int8),
    "u8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
    "mask": torch.tensor([True, False, True]),
    "empty": torch.zeros(0, 3),
    "f8e4m3": torch.tensor([0.5, -448.0, 2.0 ** -9, 1.75], dtype=torch.float8_e4m3fn),
    "f8e5m2": torch.tensor([0.5, -57344.0, 2.0 ** -16, 1.5], dtype=torch.float8_e5m2),
}

save_file(tensors, os.path.join(HERE, "torch_mixed.safetensors"), metadata={"format": "pt", "note": "fixture ünïcode \"quoted\""})
