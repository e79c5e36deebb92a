"""PyTorch's conv2d on the ResNet-18 (CIFAR) and smallvgg layer shapes: forward,
backward-data and backward-weights ms (min of the repeats; wall and process CPU
time, the steadier measure on a loaded machine), the counterpart of
`workbench bench conv` and scripts/dnnl_conv_bench.c (BENCHMARKS.md, Session 9).

  /tmp/torchenv/bin/python scripts/conv_layers_torch.py [--threads 2] [--batches 16,128]
  ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ...   (AVX2 only)
"""
import argparse
import time

import torch

LAYERS = [  # name, in, out, kernel, stride, padding, input side
    ("3-64 3x3 32", 3, 64, 3, 1, 1, 32),
    ("64-64 3x3 32", 64, 64, 3, 1, 1, 32),
    ("64-128 3x3 s2 32", 64, 128, 3, 2, 1, 32),
    ("64-128 1x1 s2 32", 64, 128, 1, 2, 0, 32),
    ("64-128 3x3 16", 64, 128, 3, 1, 1, 16),
    ("128-128 3x3 16", 128, 128, 3, 1, 1, 16),
    ("128-256 3x3 s2 16", 128, 256, 3, 2, 1, 16),
    ("128-256 1x1 s2 16", 128, 256, 1, 2, 0, 16),
    ("128-256 3x3 8", 128, 256, 3, 1, 1, 8),
    ("256-256 3x3 8", 256, 256, 3, 1, 1, 8),
    ("256-512 3x3 s2 8", 256, 512, 3, 2, 1, 8),
    ("256-512 1x1 s2 8", 256, 512, 1, 2, 0, 8),
    ("512-512 3x3 4", 512, 512, 3, 1, 1, 4),
]


def best_ms(fn, repeats):
    """(wall, process CPU) ms, each the minimum of the repeats."""
    fn()
    ts, cs = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
        cs.append((time.process_time() - c0) * 1e3)
    return min(ts), min(cs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", default="16,128")
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"ms, min of {a.repeats}, per direction: wall, process CPU; torch {torch.__version__}, {a.threads} threads, cpu capability {torch.backends.cpu.get_cpu_capability()}")
    for n in [int(b) for b in a.batches.split(",")]:
        for name, c, m, k, s, p, side in LAYERS:
            x = torch.randn(n, c, side, side)
            w = torch.randn(m, c, k, k) * 0.05
            o = (side + 2 * p - k) // s + 1
            gy = torch.randn(n, m, o, o)
            conv = torch.ops.aten.convolution_backward
            with torch.no_grad():
                fwd = best_ms(lambda: torch.nn.functional.conv2d(x, w, stride=s, padding=p), a.repeats)
                bd = best_ms(lambda: conv(gy, x, w, None, [s, s], [p, p], [1, 1], False, [0, 0], 1,
                                          [True, False, False]), a.repeats)
                bw = best_ms(lambda: conv(gy, x, w, None, [s, s], [p, p], [1, 1], False, [0, 0], 1,
                                          [False, True, False]), a.repeats)
            print(f"b{n:<4d} {name:20s}" + "".join(f"  {d} {t[0]:7.2f} {t[1]:7.2f}" for d, t in
                                                      (("fwd", fwd), ("bwd_d", bd), ("bwd_w", bw))), flush=True)


if __name__ == "__main__":
    main()
