#!/usr/bin/env python3
"""Generates the PyTorch reference values used by OptimizerTests and SchedulerTests.

Run from the repository root with a Python that has torch installed:

    python3 Tests/Fixtures/optim/generate_optim_fixtures.py

Writes Tests/Fixtures/optim/optim_trajectories.json, lbfgs_trajectories.json and scheduler_lrs.json.
Each optimizer case starts from fixed parameters, feeds the gradient of a small
quadratic (0.5 * a * p^2 + b * p, summed) for a few steps, sometimes with a
missing gradient (None: the parameter is skipped), and records the gradients fed
and the parameters after every step, then the final optimizer state.
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 8


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def make_params():
    g = torch.Generator().manual_seed(1234)
    p0 = torch.randn(3, generator=g).requires_grad_()
    p1 = torch.randn(2, 2, generator=g).requires_grad_()
    a = [torch.rand(3, generator=g) * 2 + 0.5, torch.rand(2, 2, generator=g) * 2 + 0.5]
    b = [torch.randn(3, generator=g), torch.randn(2, 2, generator=g)]
    return [p0, p1], a, b


CASES = [
    ("sgd_plain", "SGD", {"lr": 0.1}, None),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, None),
    ("sgd_dampening_wd", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}, None),
    ("sgd_nesterov_maximize", "SGD",
     {"lr": 0.01, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1, "maximize": True}, None),
    ("sgd_groups", "SGD", {"lr": 0.01, "momentum": 0.9}, [{"lr": 0.1}, {"momentum": 0.5, "weight_decay": 0.2}]),
    ("adam_default", "Adam", {"lr": 0.01}, None),
    ("adam_wd_amsgrad", "Adam",
     {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.05, "amsgrad": True}, None),
    ("adam_maximize", "Adam", {"lr": 0.01, "maximize": True}, None),
    ("adam_groups", "Adam", {"lr": 0.01}, [{"lr": 0.05, "betas": [0.5, 0.9]}, {"amsgrad": True}]),
    ("adamw_default", "AdamW", {"lr": 0.01}, None),
    ("adamw_amsgrad", "AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "betas": [0.3, 0.9]}, None),
    ("rmsprop_default", "RMSprop", {"lr": 0.01}, None),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}, None),
    ("rmsprop_centered", "RMSprop",
     {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.01, "eps": 1e-4}, None),
    ("rmsprop_maximize_centered", "RMSprop", {"lr": 0.005, "centered": True, "maximize": True}, None),
    ("adagrad_default", "Adagrad", {"lr": 0.1}, None),
    ("adagrad_decay_wd_init_maximize", "Adagrad",
     {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6,
      "maximize": True}, None),
    ("adagrad_groups", "Adagrad", {"lr": 0.05}, [{"lr": 0.2}, {"lr_decay": 0.1}]),
    ("adadelta_default", "Adadelta", {}, None),
    ("adadelta_rho_wd_maximize", "Adadelta", {"lr": 0.5, "rho": 0.7, "eps": 1e-4, "weight_decay": 0.1,
                                              "maximize": True}, None),
    ("adamax_default", "Adamax", {"lr": 0.01}, None),
    ("adamax_betas_wd_maximize", "Adamax", {"lr": 0.02, "betas": [0.3, 0.8], "weight_decay": 0.05, "eps": 1e-4,
                                            "maximize": True}, None),
    ("asgd_default", "ASGD", {"lr": 0.05}, None),
    ("asgd_t0_wd_maximize", "ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 3, "weight_decay": 0.1,
                                     "maximize": True}, None),
    ("nadam_default", "NAdam", {"lr": 0.01}, None),
    ("nadam_decoupled", "NAdam", {"lr": 0.02, "betas": [0.8, 0.99], "weight_decay": 0.1, "momentum_decay": 0.01,
                                  "decoupled_weight_decay": True}, None),
    ("nadam_l2_maximize", "NAdam", {"lr": 0.01, "weight_decay": 0.05, "maximize": True}, None),
    ("radam_default", "RAdam", {"lr": 0.01}, None),
    ("radam_rectified_early", "RAdam", {"lr": 0.01, "betas": [0.9, 0.5], "weight_decay": 0.05}, None),
    ("radam_decoupled_maximize", "RAdam", {"lr": 0.02, "betas": [0.8, 0.6], "weight_decay": 0.1,
                                           "decoupled_weight_decay": True, "maximize": True}, None),
    ("rprop_default", "Rprop", {"lr": 0.05}, None),
    ("rprop_etas_sizes_maximize", "Rprop", {"lr": 0.1, "etas": [0.3, 1.5], "step_sizes": [0.01, 0.2],
                                            "maximize": True}, None),
    ("rprop_groups", "Rprop", {"lr": 0.05}, [{"lr": 0.2}, {"etas": [0.4, 1.1]}]),
    ("sparseadam_rows", "SparseAdam", {"lr": 0.05}, None),
    ("sparseadam_betas_maximize", "SparseAdam", {"lr": 0.02, "betas": [0.5, 0.9], "eps": 1e-6,
                                                 "maximize": True}, None),
]


def torch_kwargs(kw):
    kw = dict(kw)
    for k in ("betas", "etas", "step_sizes"):
        if k in kw:
            kw[k] = tuple(kw[k])
    return kw


def run_case(name, opt_name, kwargs, groups):
    params, a, b = make_params()
    cls = getattr(torch.optim, opt_name)
    if groups is None:
        opt = cls(params, **torch_kwargs(kwargs))
    else:
        opt = cls([dict(params=[p], **torch_kwargs(g)) for p, g in zip(params, groups)], **torch_kwargs(kwargs))
    case = {
        "name": name,
        "optimizer": opt_name,
        "kwargs": kwargs,
        "groups": groups,
        "shapes": [list(p.shape) for p in params],
        "initial": [flat(p) for p in params],
        "steps": [],
    }
    for step in range(STEPS):
        opt.zero_grad()
        loss = sum((0.5 * ai * p * p + bi * p).sum() for p, ai, bi in zip(params, a, b))
        loss.backward()
        if step == 2:
            params[1].grad = None  # skipped by the optimizer
        if opt_name == "SparseAdam":
            # One zero row per parameter: a sparse gradient (to_sparse(1)) leaves that row untouched.
            for p in params:
                if p.grad is not None:
                    p.grad[step % p.shape[0]] = 0
        grads = [flat(p.grad) if p.grad is not None else None for p in params]
        if opt_name == "SparseAdam":
            for p in params:
                if p.grad is not None:
                    p.grad = p.grad.to_sparse(1)
        opt.step()
        case["steps"].append({"grads": grads, "params": [flat(p) for p in params]})
    sd = opt.state_dict()
    state = {}
    for idx, st in sd["state"].items():
        entry = {}
        for k, v in st.items():
            if k == "step":
                entry[k] = int(v.item()) if torch.is_tensor(v) else int(v)
            else:
                entry[k] = flat(v)
        state[str(idx)] = entry
    case["final_state"] = state
    return case


def optimizer_cases():
    return [run_case(*c) for c in CASES]


LBFGS_CASES = [
    ("lbfgs_fixed_step", {"lr": 0.5, "max_iter": 5}),
    ("lbfgs_strong_wolfe", {"lr": 1.0, "max_iter": 8, "history_size": 3, "line_search_fn": "strong_wolfe"}),
    ("lbfgs_wolfe_maximize", {"lr": 0.5, "max_iter": 2, "line_search_fn": "strong_wolfe", "maximize": True}),
]


def lbfgs_cases():
    """Three closure steps on sum(0.5 a p^2 + b p + 0.1 p^4) (negated for maximize)."""
    out = []
    for name, kwargs in LBFGS_CASES:
        params, a, b = make_params()
        opt = torch.optim.LBFGS(params, **kwargs)
        sign = -1.0 if kwargs.get("maximize") else 1.0

        def closure():
            opt.zero_grad()
            loss = sign * sum((0.5 * ai * p * p + bi * p + 0.1 * p ** 4).sum() for p, ai, bi in zip(params, a, b))
            loss.backward()
            return loss

        case = {"name": name, "kwargs": kwargs, "shapes": [list(p.shape) for p in params],
                "initial": [flat(p) for p in params], "a": [flat(x) for x in a], "b": [flat(x) for x in b],
                "steps": []}
        for _ in range(3):
            loss = opt.step(closure)
            case["steps"].append({"loss": float(loss), "params": [flat(p) for p in params]})
        st = opt.state[params[0]]
        case["final_state"] = {"n_iter": st["n_iter"], "func_evals": st["func_evals"],
                               "history": len(st["old_dirs"])}
        out.append(case)
    return out


def scheduler_cases():
    out = []
    S = torch.optim.lr_scheduler

    def two_groups(opt_cls=torch.optim.SGD, **kw):
        w0 = torch.zeros(1, requires_grad=True)
        w1 = torch.zeros(1, requires_grad=True)
        return opt_cls([{"params": [w0]}, {"params": [w1], "lr": 0.05}], lr=0.1, **kw)

    def record(name, make, steps, metrics=None, momentum=None, opt_cls=torch.optim.SGD, opt_kw=None):
        opt = two_groups(opt_cls, **(opt_kw or {}))
        sched = make(opt)
        lrs = [list(sched.get_last_lr())]
        moms = []

        def current_momentum():
            if momentum is None:
                return None
            return [g["betas"][0] if momentum == "betas" else g["momentum"] for g in opt.param_groups]

        moms.append(current_momentum())
        for i in range(steps):
            opt.step()
            if metrics is not None:
                sched.step(metrics[i])
            else:
                sched.step()
            lrs.append(list(sched.get_last_lr()))
            moms.append(current_momentum())
        case = {"name": name, "lrs": lrs}
        if metrics is not None:
            case["metrics"] = metrics
        if momentum is not None:
            case["momentum"] = moms
        out.append(case)

    record("step", lambda o: S.StepLR(o, step_size=3, gamma=0.5), 20)
    record("multistep", lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3), 20)
    record("exponential", lambda o: S.ExponentialLR(o, gamma=0.9), 20)
    record("cosine", lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.001), 20)
    record("linear", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4), 20)
    record("linear_decay", lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=7), 12)
    record("onecycle_cos", lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=20), 19,
           momentum="momentum", opt_kw={"momentum": 0.9})
    record("onecycle_linear_three_phase_adam",
           lambda o: S.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=15, anneal_strategy="linear",
                                  three_phase=True, pct_start=0.4),
           14, momentum="betas", opt_cls=torch.optim.Adam)
    metrics = [1.0, 0.9, 0.95, 0.91, 0.905, 0.92, 0.8, 0.85, 0.84, 0.83, 0.82, 0.81, 0.9, 0.9, 0.9,
               0.9, 0.7, 0.71, 0.72, 0.73]
    record("plateau_min_rel",
           lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=0.01, cooldown=1,
                                         min_lr=0.01), 20, metrics=metrics)
    acc = [0.1, 0.2, 0.25, 0.25, 0.26, 0.26, 0.26, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6]
    record("plateau_max_abs",
           lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.1, patience=1, threshold=0.05,
                                         threshold_mode="abs", min_lr=[0.0, 0.001]), 15, metrics=acc)
    # The catalogue's schedulers (LambdaLR ... ChainedScheduler).
    record("lambda", lambda o: S.LambdaLR(o, lambda e: 0.9 ** e), 12)
    record("lambda_per_group", lambda o: S.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.5 + 0.1 * e]), 12)
    record("multiplicative", lambda o: S.MultiplicativeLR(o, lambda e: 0.95), 12)
    record("constant", lambda o: S.ConstantLR(o, factor=0.5, total_iters=4), 12)
    record("polynomial", lambda o: S.PolynomialLR(o, total_iters=6, power=2.0), 12)
    record("cyclic_triangular", lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=2),
           20, momentum="momentum", opt_kw={"momentum": 0.9})
    record("cyclic_triangular2", lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2,
                                                      mode="triangular2", cycle_momentum=False), 20)
    record("cyclic_exp_range_adam",
           lambda o: S.CyclicLR(o, base_lr=[0.001, 0.002], max_lr=[0.01, 0.05], step_size_up=3, mode="exp_range",
                                gamma=0.9), 20, momentum="betas", opt_cls=torch.optim.Adam)
    record("warm_restarts", lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001), 25)
    record("warm_restarts_mult1", lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4), 14)
    record("sequential", lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=3), S.ExponentialLR(o, gamma=0.8)], milestones=[3]), 12)
    record("sequential_three", lambda o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.5, total_iters=2), S.CosineAnnealingLR(o, T_max=4), S.StepLR(o, 2, 0.5)],
        milestones=[3, 8]), 16)
    record("chained", lambda o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)]), 12)
    return out


def main():
    with open(os.path.join(HERE, "optim_trajectories.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": optimizer_cases()}, f, separators=(",", ":"))
    with open(os.path.join(HERE, "lbfgs_trajectories.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": lbfgs_cases()}, f, separators=(",", ":"))
    with open(os.path.join(HERE, "scheduler_lrs.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": scheduler_cases()}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
