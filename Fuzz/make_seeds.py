#!/usr/bin/env python3
"""Writes the committed seed corpora of the fuzz targets into Fuzz/seeds/TARGET/.

Python standard library only. Images and one safetensors file are copied from
Tests/Fixtures (made by their own generator scripts); the rest is built here:
small valid inputs of each format plus a few near-misses, so libFuzzer starts
from the interesting structure.   python3 Fuzz/make_seeds.py
"""
import gzip, io, json, os, shutil, struct, tarfile

here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, "..", "Tests", "Fixtures")


def put(target, name, data):
    d = os.path.join(here, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def safetensors(tensors, metadata=None):
    header, blobs, off = {}, b"", 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        blobs += raw
        off += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + blobs


f32 = lambda *v: struct.pack("<%df" % len(v), *v)
put("safetensors", "f32.safetensors", safetensors({"w": ("F32", [2, 2], f32(1, 2, 3, 4)), "b": ("F32", [2], f32(0.5, -1))}))
put("safetensors", "mixed.safetensors", safetensors({
    "h": ("F16", [2], struct.pack("<2e", 1.5, -2)), "i": ("I64", [1], struct.pack("<q", 7)),
    "u": ("U8", [3], bytes([1, 2, 3])), "bf": ("BF16", [1], b"\x80\x3f"), "s": ("F32", [], f32(3))},
    {"format": "pt"}))
put("safetensors", "empty.safetensors", safetensors({}, {"k": "v"}))
put("safetensors", "zero_dim.safetensors", safetensors({"z": ("F32", [0, 4], b"")}))
shutil.copy(os.path.join(fixtures, "safetensors", "torch_mixed.safetensors"), os.path.join(here, "seeds", "safetensors"))

meter = json.dumps({"lossMean": {"sum": 4.5, "samples": 16}, "matrix": {"classes": 2, "counts": [5, 1, 2, 8]},
                    "correct": 13, "seen": 16})
history = {"epochs": [{"epoch": 1, "train": {"loss": 0.7, "accuracy": 0.5}, "validation": {"loss": 0.8, "accuracy": 0.4},
                       "samplesPerSecond": 100.0, "seconds": 1.5, "lr": 0.01}],
           "stepLosses": {"steps": [1, 2], "losses": [0.9, 0.8], "learningRates": [0.01, 0.01], "stepsPerEpoch": 2}}
put("checkpoint", "epoch.json", json.dumps({"epoch": 1, "globalStep": 2, "rngState": ["1f"] * 14, "history": history,
                                            "config": {"model": "lenet5"}}))
put("checkpoint", "mid_epoch.json", json.dumps({
    "epoch": 1, "batch": 3, "meter": meter, "globalStep": 5, "rngState": ["ff", "0", "1", "2", "3", "4", "0"] * 2,
    "history": history, "config": {},
    "optimizer": {"optimizer": "SGD", "groups": [{"options": {"lr": 0.01, "momentum": 0.9}, "params": [0, 1]}],
                  "state": {"0": {"buffers": []}, "1": {"step": 3, "buffers": []}}},
    "scheduler": {"scheduler": "StepLR", "values": {"last_epoch": 1}, "lists": {"base_lrs": [0.01]}}}))
put("checkpoint", "nonfinite.json", '{"epoch":0,"globalStep":0,"rngState":[],"history":{"epochs":[{"epoch":1,"train":{"loss":"nan"},"samplesPerSecond":"inf","seconds":0,"lr":1e-3}]},"config":{}}')


def tar(members, compress):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    raw = buf.getvalue()
    return gzip.compress(raw, mtime=0) if compress else raw


record = bytes([3]) + bytes(range(256)) * 12
put("targz", "cifar.tar.gz", tar([("cifar-10-batches-bin", None), ("cifar-10-batches-bin/data_batch_1.bin", record * 2),
                                 ("cifar-10-batches-bin/batches.meta.txt", b"airplane\nautomobile\n")], True))
put("targz", "plain.tar", tar([("a.txt", b"hello"), ("dir", None), ("dir/b.bin", bytes(600))], False))
put("targz", "two_members.gz", gzip.compress(b"abc", mtime=0) + gzip.compress(b"def", mtime=0))

put("cifar", "cifar10_two_records.bin", record + bytes([9]) + bytes(3072))
put("cifar", "cifar100_one_record.bin", bytes([4, 77]) + bytes(range(256)) * 12)
put("cifar", "truncated.bin", record[:1000])

idx = lambda dims, body: bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + body
put("idx", "images.idx", idx([2, 3, 3], bytes(range(18))))
put("idx", "labels.idx", idx([4], bytes([0, 1, 2, 9])))
put("idx", "labels.idx.gz", gzip.compress(idx([3], bytes([5, 6, 7])), mtime=0))
put("idx", "float_type.idx", bytes([0, 0, 0x0D, 1, 0, 0, 0, 1]) + f32(1))

put("csv", "iris.csv", "sl,sw,pl,pw,label\n5.1,3.5,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n6.3,3.3,6.0,2.5,virginica\n")
put("csv", "quoted.csv", 'label,"a,b",c\n"x ""y""",1,2\nz,3,\n')
put("csv", "regression.csv", "x1,x2,price\n1,2,3.5\n-1e3,4,nan\n0.5,,7\n")
put("csv", "crlf_bom.csv", "\ufefflabel,v\r\n1,2\r\n0,3\r\n")

for name in sorted(os.listdir(os.path.join(fixtures, "images"))):
    kind = {"png": "png", "jpg": "jpeg"}.get(name.rsplit(".", 1)[-1])
    if kind:
        with open(os.path.join(fixtures, "images", name), "rb") as f:
            put(kind, name, f.read())

metadata = {"architecture": {"name": "lenet5", "inputShape": [3, 32, 32], "outputs": 10}, "task": "classification",
            "classes": ["airplane", "automobile"], "transform": {"resize": 32, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}}
put("modelmetadata", "lenet5.json", json.dumps(metadata))
put("modelmetadata", "mlp.json", json.dumps({"architecture": {"name": "mlp", "inputShape": [4], "outputs": 3}, "task": "regression",
                                             "features": ["a", "b", "c", "d"]}))
put("hubmanifest", "hub.json", json.dumps({"hub": 1, "entries": [{
    "name": "lenet5-shapes", "doc": "LeNet-5 on Shapes10", "architecture": "lenet5", "config": metadata, "requires": "0.1.0",
    "files": [{"path": "lenet5-shapes.safetensors", "sha256": "0" * 64, "size": 251000}]}]}, indent=1))
put("hubmanifest", "escape.json", json.dumps({"hub": 1, "entries": [{
    "name": "x", "doc": "", "architecture": "mlp", "config": metadata, "requires": "0.1.0",
    "files": [{"path": "sub/../../etc/passwd", "sha256": "0" * 64, "size": 1}]}]}))
for name in sorted(os.listdir(os.path.join(here, "..", "themes"))):
    with open(os.path.join(here, "..", "themes", name), "rb") as f:
        put("theme", name, f.read())
put("theme", "quoted_comment.theme", 'theme[main_bg]="#000000"  # black\ntheme[title]=#ffffff\ntheme[unknown]="#123456"\ntheme[hi_fg]=""\n')
put("theme", "bad_colour.theme", 'theme[main_bg]="#12345"\n')

with open(os.path.join(fixtures, "modelfiles", "blocks.model.yaml"), "rb") as f:
    put("modelfile", "blocks.model.yaml", f.read())
put("modelfile", "lenet.model.yaml", "- Conv2d: [3, 6, 5]\n- ReLU\n- MaxPool2d: 2\n- Conv2d: [6, 16, 5]\n- ReLU\n- MaxPool2d: 2\n"
    "- Flatten\n- Linear: [400, 120]\n- ReLU\n- Linear: {in_features: auto, out_features: classes}\n")
put("modelfile", "mlp.json", json.dumps({"name": "mlp", "input": [3, 32, 32], "layers": [
    "Flatten", {"Linear": {"in_features": "auto", "out_features": 32}}, "ReLU",
    {"Unflatten": {"dim": 1, "unflattened_size": [2, 16]}}, "Flatten", {"Linear": {"out_features": "classes"}}]}))

infer = {"id": "r1", "inputs": [{"name": "x", "shape": [1, 3, 32, 32], "datatype": "FP32", "data": [0.5] * 3072}]}
put("serve", "infer.json", b"\x00" + json.dumps(infer).encode())
put("serve", "predict_json.json", b"\x01" + json.dumps(infer).encode())
put("serve", "wrong_shape.json", b"\x00" + json.dumps({"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3]}]}).encode())
# Mode 3: the byte reader against JSONSerialization (nested data, -0, escapes, exponents, a float midpoint).
put("serve", "compare_nested.json", b"\x03" + json.dumps({"id": "n", "inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32",
                                                            "data": [[-0.0, 1.0000000596046448]]}]}).encode())
put("serve", "compare_edges.json", b"\x03" + b'{"id": "\\u0041", "inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", '
    b'"data": [1.5E-3, -0], "parameters": {"k": [true, null, "\\ud83d\\ude00"]}}]}')
put("serve", "cifar_record.bin", b"\x02" + bytes([3]) + bytes(range(256)) * 12)
with open(os.path.join(fixtures, "images", "rgb.png"), "rb") as f:
    put("serve", "image.png", b"\x02" + f.read())
with open(os.path.join(fixtures, "images", "rgb.jpg"), "rb") as f:
    put("serve", "image.jpg", b"\x02" + f.read())
print("seeds written to", os.path.join(here, "seeds"))
