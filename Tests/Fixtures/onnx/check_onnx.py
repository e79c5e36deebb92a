"""Checks ONNX files written by workbench against onnx and onnxruntime.

Usage: check_onnx.py DIR. DIR holds, for each model NAME listed in DIR/cases.json:
NAME.onnx, NAME.input.bin and NAME.output.bin (float32, little-endian, shapes in
cases.json). For each case: onnx.checker.check_model(full_check=True), then
onnxruntime on the input; prints one JSON line per case with the maximum absolute
difference from workbench's output, the output shape, and the initialiser names.
A second run with a batch of 3 checks the dynamic batch dimension.
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

root = sys.argv[1]
cases = json.load(open(f"{root}/cases.json"))
for case in cases:
    name = case["name"]
    model = onnx.load(f"{root}/{name}.onnx")
    onnx.checker.check_model(model, full_check=True)
    x = np.fromfile(f"{root}/{name}.input.bin", dtype="<f4").reshape(case["input_shape"])
    ours = np.fromfile(f"{root}/{name}.output.bin", dtype="<f4").reshape(case["output_shape"])
    sess = ort.InferenceSession(f"{root}/{name}.onnx", providers=["CPUExecutionProvider"])
    (theirs,) = sess.run(None, {"input": x})
    x3 = np.concatenate([x, x[:1]], axis=0)
    (theirs3,) = sess.run(None, {"input": x3})
    print(json.dumps({
        "name": name,
        "max_abs_diff": float(np.max(np.abs(theirs - ours))),
        "shape": list(theirs.shape),
        "batch3_shape": list(theirs3.shape),
        "batch3_matches": bool(np.allclose(theirs3[:len(x)], theirs, atol=1e-5)),
        "opset": model.opset_import[0].version,
        "initializers": [t.name for t in model.graph.initializer],
        "metadata_keys": [p.key for p in model.metadata_props],
    }), flush=True)
