#!/usr/bin/env python3
"""Exports a small CNN as a TorchScript file, the way an ML team would hand a model to MedVeil.

The network is written here on purpose differently from the zoo 'cnn' (average *and* max global
pooling concatenated, no hidden dense layer), so the test shows the torch engine
trains a module it did not build. It returns logits [batch, classes]; MedVeil applies
cross-entropy. Usage: export_torchscript.py OUT.pt [SEED] [CLASSES]
Also writes OUT.pt.params: the parameters in module.parameters() order, each tensor row-major, as
little-endian float32, so a test can check what Java reads from the file.
"""
import sys

import torch
from torch import nn


class SmallCnn(nn.Module):
    def __init__(self, classes: int):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.conv3 = nn.Conv2d(16, 32, 3, padding=1)
        self.head = nn.Linear(64, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.conv1(x))
        h = torch.max_pool2d(h, 2)
        h = torch.relu(self.conv2(h))
        h = torch.max_pool2d(h, 2)
        h = torch.relu(self.conv3(h))
        pooled = torch.cat([h.amax(dim=(2, 3)), h.mean(dim=(2, 3))], dim=1)
        return self.head(pooled)


def main():
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    classes = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    torch.manual_seed(seed)
    module = torch.jit.script(SmallCnn(classes).float())
    module.save(out)
    with open(out + ".params", "wb") as f:
        for p in module.parameters():
            f.write(p.detach().contiguous().numpy().astype("<f4").tobytes())
    params = sum(p.numel() for p in module.parameters())
    print(f"torch {torch.__version__}: wrote {out} ({params} parameters)")


if __name__ == "__main__":
    main()
