"""PyTorch counterpart of `workbench bench sequence` (Sources/Workbench/BenchSequence.swift).

Same models, shapes and steps: an LSTM language model (embedding 64, LSTM 256,
65-token vocabulary, cross entropy) and a 2-layer Transformer encoder (d_model
128, 4 heads, feed-forward 512, dropout 0.1, batch first), batch 32, sequence
lengths 64 and 128; a step is zero_grad, forward, loss, backward, SGD step.

    python3 scripts/bench_sequence_torch.py [--threads 2]
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class CharLSTM(nn.Module):
    def __init__(self, v=65, e=64, h=256):
        super().__init__()
        self.embedding = nn.Embedding(v, e)
        self.lstm = nn.LSTM(e, h, batch_first=True)
        self.head = nn.Linear(h, v)

    def forward(self, x):
        return self.head(self.lstm(self.embedding(x))[0])


def lstm_step(batch, seq):
    lm = CharLSTM()
    opt = torch.optim.SGD(lm.parameters(), lr=0.01)
    x = torch.randint(0, 65, (batch, seq))
    y = torch.randint(0, 65, (batch * seq,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(lm(x).reshape(batch * seq, 65), y)
        loss.backward()
        opt.step()
    return step


def transformer_step(batch, seq):
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(128, 4, 512, dropout=0.1, batch_first=True), 2,
                                enable_nested_tensor=False)
    opt = torch.optim.SGD(enc.parameters(), lr=0.01)
    x = torch.randn(batch, seq, 128)

    def step():
        opt.zero_grad()
        out = enc(x)
        loss = (out * out).mean()
        loss.backward()
        opt.step()
    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", default="64,128")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    for name, make in [("lstm-lm", lstm_step), ("transformer-encoder", transformer_step)]:
        for seq in [int(s) for s in args.seq.split(",")]:
            step = make(args.batch, seq)
            for _ in range(2):
                step()
            times, cpus = [], []
            for _ in range(args.repeats):
                c0, t0 = time.process_time(), time.perf_counter()
                for _ in range(args.steps):
                    step()
                times.append((time.perf_counter() - t0) * 1000 / args.steps)
                cpus.append((time.process_time() - c0) * 1000 / args.steps)
            ms, cpu = statistics.median(times), statistics.median(cpus)
            print(f"{name:<20} batch {args.batch:3d} seq {seq:4d}: {ms:8.1f} ms/step  {args.batch * seq / ms * 1000:9.0f} tokens/s"
                  f"  ({cpu:.1f} ms CPU/step)")


if __name__ == "__main__":
    main()
