"""The source article's vanilla GAN on MNIST in PyTorch, timed per epoch.

The networks, losses and loop follow the article as written (discriminator: real and fake passes,
label smoothing 0.9; generator: flipped labels; Adam lr 0.002; batch 64; z ~ U(-1, 1)). MNIST is read
from the original IDX files (the directory the .NET loader fills), so both sides train on the same
bytes; DataLoader shuffles, like the .NET default. Prints one JSON object.
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Discriminator(nn.Module):
    def __init__(self, input_size, hidden_dim, output_size):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_dim * 4)
        self.fc2 = nn.Linear(hidden_dim * 4, hidden_dim * 2)
        self.fc3 = nn.Linear(hidden_dim * 2, hidden_dim)
        self.fc4 = nn.Linear(hidden_dim, output_size)
        self.dropout = nn.Dropout(0.3)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        x = self.dropout(F.leaky_relu(self.fc1(x), 0.2))
        x = self.dropout(F.leaky_relu(self.fc2(x), 0.2))
        x = self.dropout(F.leaky_relu(self.fc3(x), 0.2))
        return self.fc4(x)


class Generator(nn.Module):
    def __init__(self, input_size, hidden_dim, output_size):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, hidden_dim * 2)
        self.fc3 = nn.Linear(hidden_dim * 2, hidden_dim * 4)
        self.fc4 = nn.Linear(hidden_dim * 4, output_size)
        self.dropout = nn.Dropout(0.3)

    def forward(self, x):
        x = self.dropout(F.leaky_relu(self.fc1(x), 0.2))
        x = self.dropout(F.leaky_relu(self.fc2(x), 0.2))
        x = self.dropout(F.leaky_relu(self.fc3(x), 0.2))
        return torch.tanh(self.fc4(x))


def real_loss(d_out, smooth=False):
    labels = torch.ones(d_out.size(0)) * (0.9 if smooth else 1.0)
    return nn.BCEWithLogitsLoss()(d_out.squeeze(), labels)


def fake_loss(d_out):
    return nn.BCEWithLogitsLoss()(d_out.squeeze(), torch.zeros(d_out.size(0)))


def load_images(path):
    with open(path, "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 0x803, f"{path}: magic {magic:#x}"
        data = np.frombuffer(f.read(), dtype=np.uint8).reshape(count, 1, rows, cols)
    return torch.from_numpy(data.astype(np.float32) / 255.0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    images = load_images(os.path.join(args.data_dir, "train-images-idx3-ubyte"))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images), batch_size=64, shuffle=True)
    z_size, hidden = 100, 32
    D = Discriminator(784, hidden, 1)
    G = Generator(z_size, hidden, 784)
    d_optimizer = optim.Adam(D.parameters(), 0.002)
    g_optimizer = optim.Adam(G.parameters(), 0.002)

    epoch_seconds = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        D.train()
        G.train()
        for (real_images,) in loader:
            batch_size = real_images.size(0)
            real_images = real_images * 2 - 1

            d_optimizer.zero_grad()
            d_real_loss = real_loss(D(real_images), smooth=True)
            with torch.no_grad():
                z = torch.from_numpy(np.random.uniform(-1, 1, size=(batch_size, z_size))).float()
                fake_images = G(z)
            d_loss = d_real_loss + fake_loss(D(fake_images))
            d_loss.backward()
            d_optimizer.step()

            g_optimizer.zero_grad()
            z = torch.from_numpy(np.random.uniform(-1, 1, size=(batch_size, z_size))).float()
            g_loss = real_loss(D(G(z)))
            g_loss.backward()
            g_optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)

    print(json.dumps({
        "torch": torch.__version__,
        "threads": args.threads,
        "epoch_seconds": epoch_seconds,
        "d_loss": float(d_loss),
        "g_loss": float(g_loss),
    }))


if __name__ == "__main__":
    main()
