#!/usr/bin/env python3
"""Training throughput of MedVeil's zoo 'cnn' rebuilt in PyTorch (Debian python3-torch).

Same layers as org.medveil.models.spec.ModelZoo 'cnn': three 3x3 'same' convolutions with ReLU
(f, 2f, 4f filters), 2x2 max pooling after the first two, global max pooling, dense(32)+ReLU,
2-way output with softmax cross-entropy, Adam lr 0.002, float32, random data.
Usage: models_cnn_torch.py INPUT BATCH WARMUP STEPS FILTERS THREADS
"""
import sys
import time

import torch
from torch import nn


def main():
    inp, batch, warmup, steps, f, threads = (int(a) for a in sys.argv[1:7])
    torch.manual_seed(1)
    torch.set_num_threads(threads)
    net = nn.Sequential(
        nn.Conv2d(1, f, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(f, 2 * f, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(2 * f, 4 * f, 3, padding=1), nn.ReLU(),
        nn.AdaptiveMaxPool2d(1), nn.Flatten(),
        nn.Linear(4 * f, 32), nn.ReLU(), nn.Linear(32, 2))
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.Adam(net.parameters(), lr=0.002)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, 1, inp, inp)
    y = torch.randint(0, 2, (batch,))

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - t0
    print(f"torch {torch.__version__} cnn input={inp} batch={batch} filters={f} params={params} "
          f"steps={steps} threads={threads}: {seconds:.1f} s, images/s: {steps * batch / seconds:.1f}")


if __name__ == "__main__":
    main()
