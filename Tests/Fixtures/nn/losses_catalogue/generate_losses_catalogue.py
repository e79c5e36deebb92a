#!/usr/bin/env python3
"""PyTorch reference values for the loss catalogue (LossCatalogueTests).

Run from the repository root with a Python that has torch installed:

    python3 Tests/Fixtures/nn/losses_catalogue/generate_losses_catalogue.py

Writes losses_catalogue.json beside this script. Every case stores its float
inputs (names `a`, `b`, `c` in call order), optional integer target `target`,
an upstream gradient `gy`, torch's output `out` and the gradients `da`, `db`,
`dc` of sum(out * gy) for the inputs that take gradients.
"""
import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(2024)
cases = {}


def t(x):
    x = x.detach().float().contiguous()
    return {"shape": list(x.shape), "data": [round(float(v), 8) for v in x.flatten().tolist()]}


def case(name, fn, inputs, grad=None, target=None, extra=None):
    """fn(*inputs[, target]); `grad` lists which inputs take gradients (default all)."""
    grad = grad if grad is not None else [True] * len(inputs)
    ins = [x.clone().requires_grad_(g) for x, g in zip(inputs, grad)]
    out = fn(*ins) if target is None else fn(*ins, target)
    gy = torch.randn_like(out) if out.dim() > 0 else torch.tensor(1.0)
    need = [x for x in ins if x.requires_grad]
    gs = iter(torch.autograd.grad(out, need, gy, allow_unused=True))
    d = {"out": t(out), "gy": t(gy)}
    for key, x in zip("abc", ins):
        d[key] = t(x)
        if x.requires_grad:
            g = next(gs)
            d["d" + key] = t(g if g is not None else torch.zeros_like(x))
    if target is not None:
        d["target"] = {"shape": list(target.shape), "data": target.flatten().tolist()}
    if extra:
        d.update(extra)
    cases[name] = d


REDS = ["mean", "sum", "none"]
x, y = torch.randn(4, 3), torch.randn(4, 3)
probs = torch.rand(4, 3) * 0.9 + 0.05
bin_t = torch.rand(4, 3)
w43 = torch.rand(4, 3) + 0.5
sign = torch.randint(0, 2, (4, 3)).float() * 2 - 1
for r in REDS:
    case(f"bce_{r}", lambda a, b, r=r: F.binary_cross_entropy(a, b, reduction=r), [probs, bin_t])
    case(f"smooth_l1_{r}", lambda a, b, r=r: F.smooth_l1_loss(a, b, reduction=r, beta=0.7), [x * 2, y])
    case(f"huber_{r}", lambda a, b, r=r: F.huber_loss(a, b, reduction=r, delta=0.6), [x * 2, y])
    case(f"soft_margin_{r}", lambda a, b, r=r: F.soft_margin_loss(a, b, reduction=r), [x * 2, sign], [True, False])
    case(f"hinge_{r}", lambda a, b, r=r: F.hinge_embedding_loss(a, b, margin=0.8, reduction=r), [x, sign], [True, False])
    case(f"poisson_{r}", lambda a, b, r=r: F.poisson_nll_loss(a, b, reduction=r), [x, torch.rand(4, 3) * 3])
    case(f"kl_{r}", lambda a, b, r=r: F.kl_div(a, b, reduction=r), [F.log_softmax(x, 1), F.softmax(y, 1)])
    case(f"gauss_{r}", lambda a, b, c, r=r: F.gaussian_nll_loss(a, b, c, reduction=r),
         [x, y, torch.rand(4, 3) + 0.1])
case("bce_weight", lambda a, b: F.binary_cross_entropy(a, b, weight=w43[0]), [probs, bin_t], extra={"w": t(w43[0])})
case("smooth_l1_beta0", lambda a, b: F.smooth_l1_loss(a, b, beta=0.0), [x * 2, y])
case("kl_batchmean_logtarget", lambda a, b: F.kl_div(a, b, reduction="batchmean", log_target=True),
     [F.log_softmax(x, 1), F.log_softmax(y, 1)])
case("kl_batchmean", lambda a, b: F.kl_div(a, b, reduction="batchmean"), [F.log_softmax(x, 1), F.softmax(y, 1)])
case("poisson_full_nolog", lambda a, b: F.poisson_nll_loss(a, b, log_input=False, full=True),
     [torch.rand(4, 3) * 2 + 0.1, torch.rand(4, 3) * 4])
case("gauss_full_per_sample", lambda a, b, c: F.gaussian_nll_loss(a, b, c, full=True), [x, y, torch.rand(4, 1) + 0.1])
case("gauss_dropped_dim_clamped", lambda a, b, c: F.gaussian_nll_loss(a, b, c, eps=0.05), [x, y, torch.rand(4) * 0.2])
lab01 = (torch.rand(4, 5) > 0.5).float()
w5 = torch.rand(5) + 0.5
for r in REDS:
    case(f"ml_soft_margin_{r}", lambda a, b, r=r: F.multilabel_soft_margin_loss(a, b, reduction=r),
         [torch.randn(4, 5), lab01], [True, False])
    case(f"ml_margin_{r}", lambda a, tg, r=r: F.multilabel_margin_loss(a, tg, reduction=r), [torch.randn(3, 5)],
         target=torch.tensor([[3, 0, -1, 1, 2], [1, 2, 3, 4, -1], [4, -1, 0, 0, 0]]))
    case(f"multi_margin_{r}", lambda a, tg, r=r: F.multi_margin_loss(a, tg, reduction=r), [torch.randn(4, 5)],
         target=torch.tensor([0, 4, 2, 2]))
    case(f"ranking_{r}", lambda a, b, c, r=r: F.margin_ranking_loss(a, b, c, margin=0.3, reduction=r),
         [torch.randn(6), torch.randn(6), torch.tensor([1., -1, 1, 1, -1, -1])], [True, True, False])
    case(f"cosine_{r}", lambda a, b, c, r=r: F.cosine_embedding_loss(a, b, c, margin=0.2, reduction=r),
         [torch.randn(5, 4), torch.randn(5, 4), torch.tensor([1., -1, -1, 1, -1])], [True, True, False])
    case(f"triplet_{r}", lambda a, b, c, r=r: F.triplet_margin_loss(a, b, c, margin=2.0, reduction=r),
         [torch.randn(5, 4), torch.randn(5, 4), torch.randn(5, 4)])
case("ml_soft_margin_weight", lambda a, b: F.multilabel_soft_margin_loss(a, b, weight=w5),
     [torch.randn(4, 5), lab01], [True, False], extra={"w": t(w5)})
case("ml_margin_unbatched", lambda a, tg: F.multilabel_margin_loss(a, tg), [torch.randn(4)],
     target=torch.tensor([2, 1, -1, 3]))
case("multi_margin_p2_weight", lambda a, tg: F.multi_margin_loss(a, tg, p=2, margin=0.7, weight=w5),
     [torch.randn(4, 5)], target=torch.tensor([1, 3, 0, 4]), extra={"w": t(w5)})
case("multi_margin_unbatched", lambda a, tg: F.multi_margin_loss(a, tg), [torch.randn(5)], target=torch.tensor(3))
case("cosine_unbatched", lambda a, b, c: F.cosine_embedding_loss(a, b, c), [torch.randn(4), torch.randn(4), torch.tensor(-1.)],
     [True, True, False])
case("triplet_p1_swap", lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=1.5, p=1, swap=True),
     [torch.randn(5, 4), torch.randn(5, 4), torch.randn(5, 4)])
case("triplet_distance_l1_swap", lambda a, b, c: F.triplet_margin_with_distance_loss(
    a, b, c, distance_function=lambda u, v: (u - v).abs().sum(-1), margin=3.0, swap=True),
     [torch.randn(5, 4), torch.randn(5, 4), torch.randn(5, 4)])

# CTC: T=6, N=3, C=5; padded and concatenated targets; one impossible sample for zero_infinity.
T, N, C = 6, 3, 5
lp = F.log_softmax(torch.randn(T, N, C), 2)
padded = torch.tensor([[1, 2, 2], [3, 1, 0], [4, 0, 0]])
in_len, tg_len = [6, 5, 4], [3, 2, 1]
concat = torch.tensor([1, 2, 2, 3, 1, 4])
for r in REDS:
    case(f"ctc_{r}", lambda a, tg, r=r: F.ctc_loss(a, tg, in_len, tg_len, reduction=r), [lp], target=padded,
         extra={"input_lengths": in_len, "target_lengths": tg_len})
case("ctc_concat_blank4", lambda a, tg: F.ctc_loss(a, tg, in_len, tg_len, blank=4), [lp],
     target=torch.tensor([1, 2, 2, 3, 1, 0]), extra={"input_lengths": in_len, "target_lengths": tg_len})
case("ctc_zero_infinity", lambda a, tg: F.ctc_loss(a, tg, [6, 2, 4], [3, 3, 1], zero_infinity=True), [lp],
     target=torch.tensor([[1, 2, 2], [3, 1, 3], [4, 0, 0]]),
     extra={"input_lengths": [6, 2, 4], "target_lengths": [3, 3, 1]})
case("ctc_unbatched", lambda a, tg: F.ctc_loss(a, tg, torch.tensor(6), torch.tensor(2)), [lp[:, 0]],
     target=torch.tensor([2, 3]), extra={"input_lengths": [6], "target_lengths": [2]})

with open(os.path.join(HERE, "losses_catalogue.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases")
