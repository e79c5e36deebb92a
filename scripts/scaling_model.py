#!/usr/bin/env python3
"""Scaling model for data-parallel training (SCALING.md's tables).

step time   T(N) = C(G) / N + A(N)          strong scaling, global batch G, per-rank batch G/N
compute     C(G) = G * t_img                 t_img: measured seconds per training image on one node
allreduce   A(N) = 2(N-1) * alpha + 2(N-1)/N * M / beta    (ring allreduce of M gradient bytes)
efficiency  E(N) = (C(G)/N) / T(N)           (no overlap: the conservative case)
80 % needs  C(G)/N >= 4 A(N)  <=>  per-rank batch  b >= 4 A(N) / t_img

Usage: scripts/scaling_model.py [--fit sizes_kib:ms,...] prints the fit and the markdown tables.
The defaults are the figures measured on this machine (see BENCHMARKS.md, `bench ddp`).
"""
import argparse

# Seconds per training image (forward + backward + SGD) on one node, and gradient bytes per step.
MODELS = {
    "lenet5":   {"t_img": None, "params": 62_006},
    "smallvgg": {"t_img": None, "params": None},
    "resnet18": {"t_img": None, "params": 11_173_962},
}
NETWORKS = {"10 Gbit/s": 10e9 / 8, "25 Gbit/s": 25e9 / 8}
NET_LATENCY = 25e-6   # seconds per ring step over TCP on a datacentre network (assumed, not measured here)
NODES = [2, 4, 8, 16, 32, 64]


def fit(points):
    """Least-squares T = a + b*M for N = 2 (T = 2 alpha + M / beta): returns (alpha, beta)."""
    n = len(points)
    mx = sum(m for m, _ in points) / n
    my = sum(t for _, t in points) / n
    sxx = sum((m - mx) ** 2 for m, _ in points)
    sxy = sum((m - mx) * (t - my) for m, t in points)
    b = sxy / sxx
    a = my - b * mx
    return a / 2, 1 / b


def allreduce(n, m_bytes, alpha, beta):
    return 2 * (n - 1) * alpha + 2 * (n - 1) / n * m_bytes / beta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fit", help="allreduce-alone figures at N=2: KiB:ms,KiB:ms,...")
    ap.add_argument("--t-img", action="append", default=[], help="model=seconds per image")
    ap.add_argument("--params", action="append", default=[], help="model=parameter count")
    ap.add_argument("--global-batch", type=int, default=256)
    args = ap.parse_args()
    for kv in args.t_img:
        k, v = kv.split("="); MODELS[k]["t_img"] = float(v)
    for kv in args.params:
        k, v = kv.split("="); MODELS[k]["params"] = int(v)
    if args.fit:
        pts = [(float(k) * 1024, float(v) / 1000) for k, v in (p.split(":") for p in args.fit.split(","))]
        alpha, beta = fit(pts)
        print(f"local fit (shared memory, N=2): alpha = {alpha * 1e6:.1f} us per step, beta = {beta / 1e9:.2f} GB/s\n")
    G = args.global_batch
    for name, m in MODELS.items():
        if m["t_img"] is None or m["params"] is None:
            continue
        M = 4 * m["params"]
        print(f"### {name}: {m['params']:,} parameters ({M / 1e6:.2f} MB of gradients), "
              f"{m['t_img'] * 1e3:.2f} ms per image on one node, global batch {G}\n")
        print("| nodes | network | allreduce ms | step ms | img/s | efficiency | per-rank batch for 80 % |")
        print("|---:|---|---:|---:|---:|---:|---:|")
        for net, bw in NETWORKS.items():
            for n in NODES:
                a = allreduce(n, M, NET_LATENCY, bw)
                c = G * m["t_img"] / n
                t = c + a
                need = 4 * a / m["t_img"]
                print(f"| {n} | {net} | {a * 1e3:.2f} | {t * 1e3:.1f} | {G / t:,.0f} | {c / t * 100:.0f} % | {need:,.0f} |")
        print()


if __name__ == "__main__":
    main()
