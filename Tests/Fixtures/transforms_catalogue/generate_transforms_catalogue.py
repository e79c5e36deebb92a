#!/usr/bin/env python3
"""torchvision references for TransformCatalogueTests (the augmentation transforms).

Run from the repository root:
    /tmp/torchenv/bin/python Tests/Fixtures/transforms_catalogue/generate_transforms_catalogue.py

Writes transforms_catalogue.json beside this script: the input images, the
outputs of torchvision's deterministic functional ops (the parts of the random
transforms with their parameters fixed) on Pillow images and float tensors,
and the printed forms of the transforms.
"""
import json
import os

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode as IM
from torchvision.transforms.autoaugment import _apply_op

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(3)
rgb_np = rng.integers(0, 256, size=(9, 11, 3), dtype=np.uint8)
low_np = rng.integers(60, 181, size=(9, 11, 3), dtype=np.uint8)
rgb, low = Image.fromarray(rgb_np), Image.fromarray(low_np)
ten = F.to_tensor(rgb)

out = {"torch": torch.__version__, "torchvision": torchvision.__version__,
       "images": {"rgb": rgb_np.flatten().tolist(), "low": low_np.flatten().tolist(), "height": 9, "width": 11},
       "cases": {}, "reprs": {}}


def img(name, pil):
    a = np.asarray(pil)
    if a.ndim == 2:
        a = a[:, :, None]
    out["cases"][name] = {"shape": list(a.shape), "data": a.flatten().tolist()}


def tensor(name, t):
    out["cases"][name] = {"shape": list(t.shape), "data": [round(float(v), 7) for v in t.flatten().tolist()]}


img("invert", F.invert(rgb))
img("posterize3", F.posterize(rgb, 3))
img("solarize100", F.solarize(rgb, 100))
img("autocontrast_low", F.autocontrast(low))
img("equalize", F.equalize(rgb))
img("equalize_low", F.equalize(low))
img("sharpness2", F.adjust_sharpness(rgb, 2.0))
img("sharpness03", F.adjust_sharpness(rgb, 0.3))
img("brightness14", F.adjust_brightness(rgb, 1.4))
img("saturation04", F.adjust_saturation(rgb, 0.4))
img("contrast16", F.adjust_contrast(rgb, 1.6))
img("blur_3x5", F.gaussian_blur(rgb, [3, 5], [0.8, 1.3]))
img("affine_nearest", F.affine(rgb, angle=12.0, translate=[1, -2], scale=0.9, shear=[5.0, -3.0],
                               interpolation=IM.NEAREST, fill=[10, 20, 30]))
img("affine_bilinear", F.affine(rgb, angle=-20.0, translate=[0, 1], scale=1.1, shear=[0.0, 0.0],
                                interpolation=IM.BILINEAR))
starts = [[0, 0], [10, 0], [10, 8], [0, 8]]
ends = [[1, 2], [9, 0], [10, 7], [2, 8]]
img("perspective_bilinear", F.perspective(rgb, starts, ends, interpolation=IM.BILINEAR))
img("perspective_nearest", F.perspective(rgb, starts, ends, interpolation=IM.NEAREST, fill=[5, 6, 7]))
img("resized_crop", F.resized_crop(rgb, 1, 2, 5, 7, [6, 6], IM.BILINEAR))
for i, c in enumerate(F.five_crop(rgb, [4, 5])):
    img(f"five_crop_{i}", c)
for i, c in enumerate(F.ten_crop(rgb, [4, 5], vertical_flip=True)):
    img(f"ten_crop_v_{i}", c)
for name, op, mag in [("shear_x", "ShearX", 0.2), ("shear_y", "ShearY", -0.25), ("translate_x", "TranslateX", 3.7),
                      ("translate_y", "TranslateY", -2.0), ("rotate", "Rotate", 25.0), ("posterize", "Posterize", 4.0),
                      ("solarize", "Solarize", 140.0), ("sharpness", "Sharpness", 0.5), ("color", "Color", -0.3),
                      ("contrast", "Contrast", 0.4), ("brightness", "Brightness", -0.2)]:
    img(f"op_{name}", _apply_op(rgb, op, mag, interpolation=IM.NEAREST, fill=None))
tensor("t_invert", F.invert(ten))
tensor("t_solarize", F.solarize(ten, 0.4))
tensor("t_autocontrast", F.autocontrast(F.to_tensor(low)))
tensor("t_sharpness", F.adjust_sharpness(ten, 1.7))
tensor("t_blur", F.gaussian_blur(ten, [5, 3], [1.1, 0.7]))

for key, t in {
    "invert": T.RandomInvert(), "posterize": T.RandomPosterize(2), "solarize": T.RandomSolarize(128),
    "solarize_float": T.RandomSolarize(0.5, p=0.3), "autocontrast": T.RandomAutocontrast(),
    "equalize": T.RandomEqualize(0.7), "sharpness": T.RandomAdjustSharpness(2), "sharpness_p": T.RandomAdjustSharpness(0.5, p=0.2),
    "grayscale": T.RandomGrayscale(), "blur": T.GaussianBlur(3), "blur_rect": T.GaussianBlur((3, 5), (0.5, 1.5)),
    "blur_fixed": T.GaussianBlur(5, 1.0), "rrc": T.RandomResizedCrop(32),
    "rrc_args": T.RandomResizedCrop((8, 6), scale=(0.5, 1.0), ratio=(1 / 3, 3.0), interpolation=IM.NEAREST),
    "five": T.FiveCrop(4), "ten": T.TenCrop((4, 3), vertical_flip=True), "affine": T.RandomAffine(10),
    "affine_all": T.RandomAffine((-5, 15), translate=(0.1, 0.2), scale=(0.9, 1.1), shear=(1, 2, 3, 4), fill=3),
    "affine_shear": T.RandomAffine(0, shear=5, interpolation=IM.BILINEAR, center=(1, 2)),
    "perspective": T.RandomPerspective(), "apply": T.RandomApply([T.RandomInvert(), T.RandomEqualize()], p=0.3),
    "choice": T.RandomChoice([T.RandomInvert(), T.RandomEqualize()]), "choice_p": T.RandomChoice([T.RandomInvert()], p=[1.0]),
    "order": T.RandomOrder([T.RandomInvert(), T.RandomEqualize()]), "autoaugment": T.AutoAugment(T.AutoAugmentPolicy.CIFAR10),
    "randaugment": T.RandAugment(), "randaugment_args": T.RandAugment(3, 5, 21, interpolation=IM.BILINEAR, fill=[1, 2, 3]),
    "trivial": T.TrivialAugmentWide(), "trivial_bins": T.TrivialAugmentWide(num_magnitude_bins=11),
}.items():
    out["reprs"][key] = repr(t)

with open(os.path.join(HERE, "transforms_catalogue.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(len(out["cases"]), "cases")
