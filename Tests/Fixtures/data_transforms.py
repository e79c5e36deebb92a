#!/usr/bin/env python
"""Reference outputs of torchvision transforms for Tests/TensorsTests/DataTransformsTests.swift.

Run from the project root:  /tmp/torchenv/bin/python Tests/Fixtures/data_transforms.py
Writes Tests/Fixtures/data_transforms.json. Deterministic: the random parts of
random transforms are fixed here (explicit crop offsets, angles, factors), the
Swift tests call the same deterministic operations.
"""
import json
import os

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode

rng = np.random.default_rng(0)
H, W = 7, 9
img_np = rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)
img = Image.fromarray(img_np)
gray_np = rng.integers(0, 256, size=(6, 5), dtype=np.uint8)

out = {"torch": torch.__version__, "torchvision": torchvision.__version__,
       "image": {"height": H, "width": W, "channels": 3, "pixels": img_np.flatten().tolist()},
       "cases": []}


def add_image(name, pil):
    a = np.asarray(pil)
    if a.ndim == 2:
        a = a[:, :, None]
    out["cases"].append({"name": name, "kind": "image", "height": a.shape[0], "width": a.shape[1],
                         "channels": a.shape[2], "pixels": a.flatten().tolist()})


def add_tensor(name, t):
    out["cases"].append({"name": name, "kind": "tensor", "shape": list(t.shape),
                         "values": [float(v) for v in t.flatten().tolist()]})


t = F.to_tensor(img)
add_tensor("to_tensor", t)
add_tensor("normalize", F.normalize(t, (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)))
add_image("pad_constant_1234_fill123", F.pad(img, [1, 2, 3, 4], fill=(1, 2, 3), padding_mode="constant"))
add_image("pad_edge_21", F.pad(img, [2, 1], padding_mode="edge"))
add_image("pad_reflect_3", F.pad(img, 3, padding_mode="reflect"))
add_image("pad_symmetric_3120", F.pad(img, [3, 1, 2, 0], padding_mode="symmetric"))
add_image("center_crop_4x5", F.center_crop(img, [4, 5]))
add_image("center_crop_9x12", F.center_crop(img, [9, 12]))
add_image("center_crop_6x6", F.center_crop(img, [6, 6]))
add_image("hflip", F.hflip(img))
add_image("vflip", F.vflip(img))
# RandomCrop(size=(5, 6), padding=2) with the window at top=3, left=1.
add_image("pad2_crop_t3_l1_5x6", F.crop(F.pad(img, 2), 3, 1, 5, 6))
add_image("resize_14x18_bilinear", F.resize(img, [14, 18], InterpolationMode.BILINEAR))
add_image("resize_4x5_bilinear", F.resize(img, [4, 5], InterpolationMode.BILINEAR))
add_image("resize_4x5_nearest", F.resize(img, [4, 5], InterpolationMode.NEAREST))
add_image("resize_14x18_nearest", F.resize(img, [14, 18], InterpolationMode.NEAREST))
add_image("resize_5_bilinear", F.resize(img, 5, InterpolationMode.BILINEAR))
add_image("rotate_30_nearest", F.rotate(img, 30, InterpolationMode.NEAREST))
add_image("rotate_-45_bilinear_expand", F.rotate(img, -45, InterpolationMode.BILINEAR, expand=True))
add_image("rotate_90_nearest_fill7", F.rotate(img, 90, InterpolationMode.NEAREST, fill=[7, 7, 7]))
add_image("brightness_1.3", F.adjust_brightness(img, 1.3))
add_image("contrast_0.6", F.adjust_contrast(img, 0.6))
add_image("saturation_1.7", F.adjust_saturation(img, 1.7))
add_image("hue_0.2", F.adjust_hue(img, 0.2))
add_image("grayscale_1", F.rgb_to_grayscale(img, 1))
add_image("grayscale_3", F.rgb_to_grayscale(img, 3))
# Tensor paths.
add_tensor("tensor_resize_14x18_bilinear", F.resize(t, [14, 18], InterpolationMode.BILINEAR, antialias=True))
add_tensor("tensor_resize_4x5_bilinear", F.resize(t, [4, 5], InterpolationMode.BILINEAR, antialias=True))
add_tensor("tensor_resize_4x5_nearest", F.resize(t, [4, 5], InterpolationMode.NEAREST))
add_tensor("tensor_pad_reflect_2", F.pad(t, 2, padding_mode="reflect"))
add_tensor("tensor_grayscale_1", F.rgb_to_grayscale(t, 1))
add_tensor("tensor_brightness_1.3", F.adjust_brightness(t, 1.3))
add_tensor("tensor_contrast_0.6", F.adjust_contrast(t, 0.6))
add_tensor("tensor_saturation_1.7", F.adjust_saturation(t, 1.7))
add_tensor("tensor_hue_0.2", F.adjust_hue(t, 0.2))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data_transforms.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path, len(out["cases"]), "cases")
