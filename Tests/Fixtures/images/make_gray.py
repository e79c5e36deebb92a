"""Generates gray.json for PredictorGrayscaleTests: what Pillow's convert("L")
gives for the PNG fixtures beside this script (flat, row-major), the input a
one-channel model (LeNet5 on MNIST) reads from a colour image in `predict`.

    /tmp/torchenv/bin/python Tests/Fixtures/images/make_gray.py
"""
import json
import os

import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
out = {"pillow": PIL.__version__, "files": {}}
for name in ["rgb.png", "rgba.png", "palette.png", "gray_alpha.png", "rgb_trns.png"]:
    im = Image.open(os.path.join(HERE, name))
    gray = im.convert("L")
    out["files"][name] = {"mode": im.mode, "size": list(gray.size), "L": list(gray.tobytes())}
with open(os.path.join(HERE, "gray.json"), "w") as f:
    f.write(json.dumps(out, separators=(",", ":")) + "\n")
