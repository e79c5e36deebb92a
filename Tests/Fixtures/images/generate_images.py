"""Generates the image-decoding fixtures for ImageDecodingTests.

Writes small PNG and JPEG files next to this script and `images.json` with
what Pillow reads from each: its mode, size, and the pixels of
`convert("RGB")` and `convert("RGBA")` (flat, HWC). PNG layouts Pillow cannot
write (16-bit RGB, 2-bit gray, ...) are written by the raw writer below and
read back through Pillow like the rest.

    python3 -m venv .build/venv && .build/venv/bin/pip install pillow
    .build/venv/bin/python Tests/Fixtures/images/generate_images.py
"""
import json
import os
import random
import struct
import zlib

import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(0)


def raw_png(path, width, height, bit_depth, color_type, rows, palette=None, trns=None):
    """A minimal PNG writer: `rows` are lists of sample values (already packed for depth < 8)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b""
    for row in rows:
        raw += b"\x00" + bytes(row)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    if palette is not None:
        out += chunk(b"PLTE", bytes(palette))
    if trns is not None:
        out += chunk(b"tRNS", bytes(trns))
    out += chunk(b"IDAT", zlib.compress(raw, 9))
    out += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)


def pattern(width, height, channels):
    """A smooth gradient with noise: JPEG-friendly, and every value differs."""
    px = []
    for y in range(height):
        for x in range(width):
            for c in range(channels):
                v = (x * 255 // max(1, width - 1) * (c + 1) + y * 255 // max(1, height - 1) * (3 - c)) // 4
                px.append(max(0, min(255, v + rng.randint(-20, 20))))
    return px


def pil_image(mode, width, height, channels):
    return Image.frombytes(mode, (width, height), bytes(pattern(width, height, channels)))


files = {}
W, H = 7, 5

# Written by Pillow.
pil_image("L", W, H, 1).save(os.path.join(HERE, "gray.png"))
pil_image("LA", W, H, 2).save(os.path.join(HERE, "gray_alpha.png"))
pil_image("RGB", W, H, 3).save(os.path.join(HERE, "rgb.png"))
pil_image("RGBA", W, H, 4).save(os.path.join(HERE, "rgba.png"))
pal = pil_image("RGB", W, H, 3).quantize(colors=6)
pal.save(os.path.join(HERE, "palette.png"))
pal.save(os.path.join(HERE, "palette_transparent.png"), transparency=2)

# Written raw: layouts Pillow does not write.
rows16 = [[rng.randint(0, 255) for _ in range(W * 6)] for _ in range(H)]
raw_png(os.path.join(HERE, "rgb16.png"), W, H, 16, 2, rows16)
rows16a = [[rng.randint(0, 255) for _ in range(W * 8)] for _ in range(H)]
raw_png(os.path.join(HERE, "rgba16.png"), W, H, 16, 6, rows16a)
# 16-bit gray: Pillow opens it as I;16 and clips values above 255 when
# converting to L or RGB; Image.decode keeps the high byte instead (see the test).
rowsg16 = [[rng.randint(0, 255) for _ in range(W * 2)] for _ in range(H)]
raw_png(os.path.join(HERE, "gray16.png"), W, H, 16, 0, rowsg16)
rows2 = [[rng.randint(0, 255) for _ in range((W * 2 + 7) // 8)] for _ in range(H)]
raw_png(os.path.join(HERE, "gray2.png"), W, H, 2, 0, rows2)
rows4 = [[rng.randint(0, 255) for _ in range((W * 4 + 7) // 8)] for _ in range(H)]
raw_png(os.path.join(HERE, "palette4.png"), W, H, 4, 3, [[b & 0x77 for b in r] for r in rows4],
        palette=[rng.randint(0, 255) for _ in range(8 * 3)], trns=[255, 0, 128])
rows8 = [[rng.randint(0, 255) for _ in range(W * 3)] for _ in range(H)]
raw_png(os.path.join(HERE, "rgb_trns.png"), W, H, 8, 2, rows8, trns=[0, rows8[0][0], 0, rows8[0][1], 0, rows8[0][2]])

# JPEGs, written by Pillow (libjpeg-turbo).
JW, JH = 16, 12
pil_image("RGB", JW, JH, 3).save(os.path.join(HERE, "rgb.jpg"), quality=90)
pil_image("RGB", JW, JH, 3).save(os.path.join(HERE, "rgb_444.jpg"), quality=95, subsampling=0)
pil_image("RGB", JW, JH, 3).save(os.path.join(HERE, "progressive.jpg"), quality=85, progressive=True)
pil_image("L", JW, JH, 1).save(os.path.join(HERE, "gray.jpg"), quality=90)
pil_image("CMYK", JW, JH, 4).save(os.path.join(HERE, "cmyk.jpg"), quality=95)

for name in sorted(os.listdir(HERE)):
    if not (name.endswith(".png") or name.endswith(".jpg")):
        continue
    with Image.open(os.path.join(HERE, name)) as im:
        im.load()
        files[name] = {
            "mode": im.mode,
            "size": list(im.size),
            "rgb": list(im.convert("RGB").tobytes()),
            "rgba": list(im.convert("RGBA").tobytes()),
        }
        if im.mode in ("L", "LA", "RGB", "RGBA"):
            files[name]["stored"] = list(im.tobytes())

with open(os.path.join(HERE, "images.json"), "w") as f:
    json.dump({"pillow": PIL.__version__, "files": files}, f, separators=(",", ":"))
    f.write("\n")
print("wrote", len(files), "fixtures with Pillow", PIL.__version__)
