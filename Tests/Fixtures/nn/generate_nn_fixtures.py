"""Generates the PyTorch reference values used by the nn tests.

Run from the repository root (needs torch and torchvision, for generating only):
    python3 Tests/Fixtures/nn/generate_nn_fixtures.py

Writes Tests/Fixtures/nn/{layers,losses,prints}.json. Every case stores its
inputs, parameters, an upstream gradient `gy` and torch's outputs and input
gradients (of sum(out * gy)); the Swift tests feed the same inputs through
our layers and compare.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "shared", "bench"))
torch.manual_seed(1234)


def t(x):
    x = x.detach().float().contiguous()
    return {"shape": list(x.shape), "data": [round(float(v), 8) for v in x.flatten().tolist()]}


def rnd(*shape):
    return torch.randn(*shape)


def grads_of(fn, inputs, gy=None):
    """Runs fn(*inputs) and returns (out, gy, grads of sum(out*gy))."""
    ins = [i.clone().requires_grad_(True) for i in inputs]
    out = fn(*ins)
    if gy is None:
        gy = torch.randn_like(out)
    g = torch.autograd.grad(out, ins, gy, allow_unused=True)
    return out, gy, [None if x is None else x for x in g]


layers = {}


def case(name, fn, inputs, names, extra=None):
    out, gy, gs = grads_of(fn, inputs)
    d = {"out": t(out), "gy": t(gy)}
    for n, x, g in zip(names, inputs, gs):
        d[n] = t(x)
        if g is not None:
            d["d" + n] = t(g)
    if extra:
        d.update(extra)
    layers[name] = d


# Linear
case("linear", lambda x, w, b: F.linear(x, w, b), [rnd(3, 4), rnd(5, 4), rnd(5)], ["x", "w", "b"])
case("linear_3d_nobias", lambda x, w: F.linear(x, w), [rnd(2, 3, 4), rnd(2, 4)], ["x", "w"])

# Conv2d configurations: (name, x shape, w shape, bias, kwargs)
convs = [
    ("conv_basic", (2, 3, 7, 6), (4, 3, 3, 3), True, dict()),
    ("conv_stride_pad", (2, 2, 7, 8), (3, 2, 3, 2), True, dict(stride=(2, 1), padding=(1, 2))),
    ("conv_dilation", (1, 2, 9, 9), (3, 2, 3, 3), True, dict(dilation=2, padding=1)),
    ("conv_groups", (2, 4, 6, 5), (6, 2, 3, 3), True, dict(groups=2, padding=1)),
    ("conv_same_even", (1, 2, 6, 7), (3, 2, 4, 2), False, dict(padding="same")),
    ("conv_same_dilated", (1, 2, 8, 8), (2, 2, 3, 3), True, dict(padding="same", dilation=2)),
    ("conv_pointwise", (2, 5, 4, 3), (3, 5, 1, 1), True, dict()),
    ("conv_pointwise_stride", (2, 3, 5, 5), (4, 3, 1, 1), False, dict(stride=2)),
    ("conv_lenet1", (2, 3, 12, 12), (6, 3, 5, 5), True, dict()),
]
for name, xs, ws, bias, kw in convs:
    if bias:
        case(name, lambda x, w, b, kw=kw: F.conv2d(x, w, b, **kw), [rnd(*xs), rnd(*ws), rnd(ws[0])], ["x", "w", "b"],
             {"args": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}})
    else:
        case(name, lambda x, w, kw=kw: F.conv2d(x, w, **kw), [rnd(*xs), rnd(*ws)], ["x", "w"],
             {"args": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}})

# Pooling
pools = [
    ("maxpool_2x2", (2, 3, 6, 8), dict(kernel_size=2)),
    ("maxpool_odd", (1, 2, 7, 7), dict(kernel_size=2)),
    ("maxpool_k3s2p1", (1, 2, 7, 6), dict(kernel_size=3, stride=2, padding=1)),
    ("maxpool_dil_ceil", (1, 2, 9, 8), dict(kernel_size=(2, 3), stride=2, dilation=2, ceil_mode=True)),
]
for name, xs, kw in pools:
    case(name, lambda x, kw=kw: F.max_pool2d(x, **kw), [rnd(*xs)], ["x"],
         {"args": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}})
avgs = [
    ("avgpool_2x2", (2, 2, 6, 6), dict(kernel_size=2)),
    ("avgpool_pad", (1, 2, 7, 5), dict(kernel_size=3, stride=2, padding=1)),
    ("avgpool_pad_exclude_ceil", (1, 2, 7, 5), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)),
    ("avgpool_divisor", (1, 1, 5, 5), dict(kernel_size=2, stride=1, divisor_override=3)),
]
for name, xs, kw in avgs:
    case(name, lambda x, kw=kw: F.avg_pool2d(x, **kw), [rnd(*xs)], ["x"],
         {"args": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}})
for name, xs, osz in [("adaptive_5x7_to_3x2", (2, 2, 5, 7), (3, 2)), ("adaptive_4x4_to_1", (1, 3, 4, 4), (1, 1)),
                      ("adaptive_3x3_to_7x7", (1, 1, 3, 3), (7, 7))]:
    case(name, lambda x, osz=osz: F.adaptive_avg_pool2d(x, osz), [rnd(*xs)], ["x"], {"output_size": list(osz)})

# Activations
x = rnd(3, 5) * 2
case("relu", F.relu, [x], ["x"])
case("leaky_relu", lambda v: F.leaky_relu(v, 0.2), [x], ["x"])
case("sigmoid", torch.sigmoid, [x], ["x"])
case("tanh", torch.tanh, [x], ["x"])
case("gelu", F.gelu, [x], ["x"])
case("gelu_tanh", lambda v: F.gelu(v, approximate="tanh"), [x], ["x"])
case("softmax_dim1", lambda v: F.softmax(v, dim=1), [x], ["x"])
case("softmax_dim0_3d", lambda v: F.softmax(v, dim=0), [rnd(3, 2, 4)], ["x"])
case("log_softmax_dim1", lambda v: F.log_softmax(v, dim=1), [x], ["x"])
case("log_softmax_dim1_3d", lambda v: F.log_softmax(v, dim=1), [rnd(2, 3, 4)], ["x"])

# BatchNorm (training: output, grads and updated running stats; eval: output and grads)
for name, xs in [("bn2d", (3, 4, 3, 2)), ("bn1d_2d", (5, 3)), ("bn1d_3d", (2, 3, 4))]:
    c = xs[1]
    xin, w, b = rnd(*xs), rnd(c), rnd(c)
    rm, rv = rnd(c) * 0.1, torch.rand(c) + 0.5
    rm1, rv1 = rm.clone(), rv.clone()
    out, gy, gs = grads_of(lambda x, w, b: F.batch_norm(x, rm1, rv1, w, b, training=True, momentum=0.1, eps=1e-5), [xin, w, b])
    layers[name + "_train"] = {"x": t(xin), "w": t(w), "b": t(b), "rm": t(rm), "rv": t(rv), "out": t(out), "gy": t(gy),
                               "dx": t(gs[0]), "dw": t(gs[1]), "db": t(gs[2]), "rm_after": t(rm1), "rv_after": t(rv1)}
    out, gy, gs = grads_of(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False, eps=1e-5), [xin, w, b])
    layers[name + "_eval"] = {"x": t(xin), "w": t(w), "b": t(b), "rm": t(rm), "rv": t(rv), "out": t(out), "gy": t(gy),
                              "dx": t(gs[0]), "dw": t(gs[1]), "db": t(gs[2])}
# BatchNorm2d module with momentum=None over three steps (cumulative average)
bn = nn.BatchNorm2d(2, momentum=None)
xs3 = [rnd(2, 2, 2, 2) for _ in range(3)]
for xb in xs3:
    bn(xb)
layers["bn2d_cumulative"] = {"xs": [t(v) for v in xs3], "rm_after": t(bn.running_mean), "rv_after": t(bn.running_var)}

# Losses
losses = {}


def loss_case(name, fn, inputs, names, int_target=None, consts=None, extra=None):
    """fn(*inputs[, int_target]); gradients for `inputs`; `consts` are stored only."""
    ins = [i.clone().requires_grad_(True) for i in inputs]
    out = fn(*ins) if int_target is None else fn(*ins, int_target)
    gy = torch.randn_like(out) if out.dim() > 0 else torch.tensor(1.0)
    g = torch.autograd.grad(out, ins, gy)
    d = {"out": t(out), "gy": t(gy)}
    for n, x, gi in zip(names, inputs, g):
        d[n] = t(x)
        d["d" + n] = t(gi)
    for n, x in (consts or {}).items():
        d[n] = t(x)
    if int_target is not None:
        d["target"] = {"shape": list(int_target.shape), "data": int_target.flatten().tolist()}
    if extra:
        d.update(extra)
    losses[name] = d


logits = rnd(6, 5) * 2
tgt = torch.tensor([0, 4, 2, 2, 1, 3])
tgt_ign = torch.tensor([0, 4, -100, 2, 1, -100])
wcls = torch.rand(5) + 0.5
logp = F.log_softmax(logits, 1)
for red in ["mean", "sum", "none"]:
    loss_case(f"ce_{red}", lambda x, y, red=red: F.cross_entropy(x, y, reduction=red), [logits], ["x"], tgt,
              extra={"reduction": red})
    loss_case(f"ce_weight_{red}", lambda x, y, red=red: F.cross_entropy(x, y, weight=wcls, reduction=red),
              [logits], ["x"], tgt, {"w": wcls}, {"reduction": red})
    loss_case(f"ce_smooth_weight_ignore_{red}",
              lambda x, y, red=red: F.cross_entropy(x, y, weight=wcls, reduction=red, label_smoothing=0.2),
              [logits], ["x"], tgt_ign, {"w": wcls}, {"reduction": red, "label_smoothing": 0.2})
    loss_case(f"nll_weight_ignore_{red}", lambda x, y, red=red: F.nll_loss(x, y, weight=wcls, reduction=red),
              [logp], ["x"], tgt_ign, {"w": wcls}, {"reduction": red})
loss_case("ce_smooth", lambda x, y: F.cross_entropy(x, y, label_smoothing=0.1), [logits], ["x"], tgt,
          extra={"label_smoothing": 0.1})
loss_case("ce_ignore_3", lambda x, y: F.cross_entropy(x, y, ignore_index=3), [logits], ["x"],
          torch.tensor([0, 3, 2, 3, 1, 4]), extra={"ignore_index": 3})
loss_case("ce_kdim", lambda x, y: F.cross_entropy(x, y), [rnd(2, 4, 3)], ["x"], torch.tensor([[0, 3, 1], [2, 2, 0]]))
loss_case("ce_unbatched", lambda x, y: F.cross_entropy(x, y), [rnd(4)], ["x"], torch.tensor(2))
probs = torch.softmax(rnd(6, 5), 1)
loss_case("ce_probs_smooth", lambda x, p: F.cross_entropy(x, p, label_smoothing=0.1), [logits, probs], ["x", "p"])
a, b = rnd(4, 3), rnd(4, 3)
for red in ["mean", "sum", "none"]:
    loss_case(f"mse_{red}", lambda x, y, red=red: F.mse_loss(x, y, reduction=red), [a, b], ["x", "y"], extra={"reduction": red})
    loss_case(f"l1_{red}", lambda x, y, red=red: F.l1_loss(x, y, reduction=red), [a, b], ["x", "y"], extra={"reduction": red})
yb = torch.rand(4, 3)
for red in ["mean", "sum", "none"]:
    loss_case(f"bce_{red}", lambda x, y, red=red: F.binary_cross_entropy_with_logits(x, y, reduction=red), [a * 3, yb],
              ["x", "y"], extra={"reduction": red})
wb, pwb = torch.rand(3) + 0.5, torch.rand(3) * 3
loss_case("bce_weight_pos", lambda x, y: F.binary_cross_entropy_with_logits(x, y, weight=wb, pos_weight=pwb),
          [a * 3, yb], ["x", "y"], consts={"w": wb, "pw": pwb})

# Printed forms and state-dict keys of the zoo
import torchvision
from models import LeNet5, small_vgg


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3072, 256)
        self.fc2 = nn.Linear(256, 64)
        self.fc3 = nn.Linear(64, 10)


r18 = torchvision.models.resnet18(num_classes=10)
r18.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
r18.maxpool = nn.Identity()
vgg16 = torchvision.models.vgg16()
zoo = {"lenet5": LeNet5(), "simplenet": SimpleNet(), "smallvgg": small_vgg(), "resnet18": r18, "vgg16": vgg16}
prints = {}
for name, m in zoo.items():
    prints[name] = {
        "print": repr(m),
        "state": [f"{k} {list(v.shape)}" for k, v in m.state_dict().items()],
        "parameters": sum(p.numel() for p in m.parameters()),
    }
single = {
    "Conv2d(3, 8, 3, padding='same', dilation=2, bias=False)": nn.Conv2d(3, 8, 3, padding="same", dilation=2, bias=False),
    "Conv2d(4, 8, (3, 1), stride=2, padding=(1, 0), groups=2)": nn.Conv2d(4, 8, (3, 1), stride=2, padding=(1, 0), groups=2),
    "BatchNorm1d(3, momentum=None, affine=False)": nn.BatchNorm1d(3, momentum=None, affine=False),
    "ModuleList": nn.ModuleList([nn.Linear(2, 3), nn.Linear(2, 3), nn.ReLU(), nn.Linear(2, 3)]),
    "ParameterList": nn.ParameterList([nn.Parameter(torch.zeros(3, 4)), nn.Parameter(torch.zeros(5))]),
    "ParameterDict": nn.ParameterDict({"a": nn.Parameter(torch.zeros(3, 4)), "b": nn.Parameter(torch.zeros(2))}),
    "ModuleDict": nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 2)}),
}
prints["single"] = {k: repr(v) for k, v in single.items()}

with open(os.path.join(HERE, "layers.json"), "w") as f:
    json.dump(layers, f, separators=(",", ":"))
with open(os.path.join(HERE, "losses.json"), "w") as f:
    json.dump(losses, f, separators=(",", ":"))
with open(os.path.join(HERE, "prints.json"), "w") as f:
    json.dump(prints, f, indent=1)
print("wrote", len(layers), "layer cases,", len(losses), "loss cases,", len(prints), "print groups")

# LeNet5 end to end: torch weights (safetensors), an input batch, logits and
# the gradients of the cross-entropy loss, to check that a torch state dict
# loads by key and our forward/backward reproduce torch's.
from safetensors.torch import save_file

torch.manual_seed(7)
net = LeNet5()
xb = torch.randn(2, 3, 32, 32)
yb = torch.tensor([3, 8])
logits = net(xb)
loss = F.cross_entropy(logits, yb)
loss.backward()
save_file({k: v.contiguous() for k, v in net.state_dict().items()}, os.path.join(HERE, "lenet5.safetensors"))
with open(os.path.join(HERE, "lenet5_io.json"), "w") as f:
    json.dump({"x": t(xb), "target": yb.tolist(), "logits": t(logits), "loss": float(loss),
               "grads": {k: t(p.grad) for k, p in net.named_parameters()
                         if k in ("conv1.weight", "conv1.bias", "conv2.bias", "fc1.bias", "fc3.weight")}}, f, separators=(",", ":"))
print("wrote lenet5.safetensors and lenet5_io.json")
