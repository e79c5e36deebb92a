"""PyTorch reference values for the activation layers (ActivationsTests.swift).

Run from the repository root (needs torch; only for generating):
    python3 Tests/Fixtures/nn/activations/generate_activations.py

Each case stores the module's repr, an input `x`, an upstream gradient `gy`,
torch's output and the gradients of sum(out * gy) for the input and any
parameter.
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20261202)


def t(x):
    x = x.detach().float().contiguous()
    return {"shape": list(x.shape), "data": [round(float(v), 7) for v in x.flatten().tolist()]}


def inp(*shape, scale=2.0):
    # values away from the kinks at 0, ±0.5, ±1, ±3 where finite differences break
    x = (torch.rand(*shape) * 2 - 1) * scale
    for k in [0.0, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 0.1, 6.0]:
        near = (x - k).abs() < 0.03
        x = torch.where(near, x + 0.07, x)
    return x


cases = {}


def case(name, module, x, params=()):
    x = x.clone().requires_grad_(True)
    out = module(x)
    gy = torch.randn_like(out)
    tensors = [x] + [p for _, p in params]
    grads = torch.autograd.grad(out, tensors, gy)
    d = {"repr": repr(module), "x": t(x), "gy": t(gy), "out": t(out), "dx": t(grads[0])}
    for (pname, p), g in zip(params, grads[1:]):
        d[pname] = t(p)
        d["d" + pname] = t(g)
    cases[name] = d


case("elu", nn.ELU(), inp(3, 5))
case("elu_alpha", nn.ELU(alpha=0.5), inp(2, 7))
case("celu", nn.CELU(alpha=1.5), inp(3, 5))
case("selu", nn.SELU(), inp(3, 5))
case("hardshrink", nn.Hardshrink(0.7), inp(3, 5))
case("softshrink", nn.Softshrink(0.3), inp(3, 5))
case("hardsigmoid", nn.Hardsigmoid(), inp(3, 6, scale=5.0))
case("hardswish", nn.Hardswish(), inp(3, 6, scale=5.0))
case("hardtanh", nn.Hardtanh(-0.8, 1.2), inp(3, 5))
case("relu6", nn.ReLU6(), inp(3, 6, scale=8.0))
case("logsigmoid", nn.LogSigmoid(), inp(3, 5, scale=6.0))
case("softplus", nn.Softplus(beta=2.0, threshold=5.0), inp(3, 6, scale=4.0))
case("softplus_default", nn.Softplus(), inp(2, 5, scale=4.0))
case("softsign", nn.Softsign(), inp(3, 5))
case("tanhshrink", nn.Tanhshrink(), inp(3, 5))
case("threshold", nn.Threshold(0.2, -1.5), inp(3, 5))
case("silu", nn.SiLU(), inp(3, 5, scale=4.0))
case("mish", nn.Mish(), inp(3, 5, scale=4.0))
case("softmin", nn.Softmin(dim=1), inp(3, 5))
case("softmin_nodim", nn.Softmin(), inp(2, 3, 4))
case("softmax2d", nn.Softmax2d(), inp(2, 3, 2, 2))
case("glu", nn.GLU(), inp(3, 6))
case("glu_dim1", nn.GLU(dim=1), inp(2, 4, 3))
p = nn.PReLU()
case("prelu", p, inp(3, 5), [("weight", p.weight)])
p = nn.PReLU(num_parameters=3, init=0.1)
with torch.no_grad():
    p.weight.copy_(torch.tensor([0.1, -0.3, 0.6]))
case("prelu_channels", p, inp(2, 3, 4), [("weight", p.weight)])
case("rrelu_eval", nn.RReLU(0.1, 0.3).eval(), inp(3, 5))

# Adaptive softmax: head + two tail clusters.
asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 7], div_value=2.0)
x = torch.randn(6, 8, requires_grad=True)
target = torch.tensor([0, 5, 9, 3, 7, 2])
res = asm(x, target)
params = list(asm.named_parameters())
grads = torch.autograd.grad(res.loss * 2 + (res.output * torch.linspace(0.5, 1.5, 6)).sum(), [x] + [p for _, p in params])
d = {"repr": repr(asm), "x": t(x), "target": target.tolist(), "output": t(res.output), "loss": float(res.loss),
     "log_prob": t(asm.log_prob(x)), "predict": asm.predict(x).tolist(), "dx": t(grads[0])}
d["params"] = {n: t(p) for n, p in params}
d["dparams"] = {n: t(g) for (n, _), g in zip(params, grads[1:])}
cases["adaptive"] = d

reprs = [nn.ELU(), nn.ELU(0.5, True), nn.Hardshrink(), nn.Hardsigmoid(True), nn.Hardtanh(), nn.Hardtanh(-2., 3., True),
         nn.Hardswish(True), nn.LogSigmoid(), nn.PReLU(), nn.PReLU(3), nn.ReLU6(), nn.ReLU6(True), nn.RReLU(),
         nn.RReLU(0.1, 0.2, True), nn.SELU(), nn.SELU(True), nn.CELU(), nn.CELU(2.0, True), nn.Softplus(), nn.Softshrink(),
         nn.Softsign(), nn.Tanhshrink(), nn.Threshold(0.1, 20.), nn.Threshold(0.1, 2., True), nn.Softmin(), nn.Softmin(1),
         nn.Softmax2d(), nn.SiLU(), nn.SiLU(True), nn.Mish(), nn.Mish(True), nn.GLU(), nn.GLU(0)]
cases["reprs"] = [repr(m) for m in reprs]

with open(os.path.join(HERE, "activations.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
