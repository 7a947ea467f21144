"""PyTorch references for the benchmarks, timed per epoch on MNIST.

--architecture mlp: the source article's vanilla GAN as written (discriminator: real and fake passes,
label smoothing 0.9; generator: flipped labels; Adam lr 0.002; batch 64; z ~ U(-1, 1)).
--architecture dcgan: the same DCGAN as Microsoft.ML.Gan's (Linear -> 128x7x7 -> BN -> ReLU ->
ConvTranspose 128->64 -> BN -> ReLU -> ConvTranspose 64->1 -> tanh; Conv 1->64 -> LeakyReLU -> Conv
64->128 -> BN -> LeakyReLU -> Linear), N(0, 0.02) init, Adam 2e-4 (0.5, 0.999), same loss and loop.
MNIST is read from the original IDX files (the directory the .NET loader fills), so both sides train
on the same bytes; DataLoader shuffles, like the .NET default. Prints one JSON object.
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


class DcganGenerator(nn.Module):
    def __init__(self, z_size, width=64):
        super().__init__()
        self.width = width
        self.fc = nn.Linear(z_size, 2 * width * 7 * 7)
        self.bn0 = nn.BatchNorm2d(2 * width)
        self.deconv1 = nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.deconv2 = nn.ConvTranspose2d(width, 1, 4, 2, 1)

    def forward(self, z):
        x = self.fc(z).view(-1, 2 * self.width, 7, 7)
        x = F.relu(self.bn0(x))
        x = F.relu(self.bn1(self.deconv1(x)))
        return torch.tanh(self.deconv2(x)).flatten(1)


class DcganDiscriminator(nn.Module):
    def __init__(self, width=64):
        super().__init__()
        self.conv1 = nn.Conv2d(1, width, 4, 2, 1)
        self.conv2 = nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(2 * width)
        self.fc = nn.Linear(2 * width * 7 * 7, 1)

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        x = F.leaky_relu(self.conv1(x), 0.2)
        x = F.leaky_relu(self.bn2(self.conv2(x)), 0.2)
        return self.fc(x.flatten(1))


def dcgan_init(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


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
    parser.add_argument("--architecture", choices=["mlp", "dcgan"], default="mlp")
    parser.add_argument("--max-steps", type=int, default=0,
                        help="stop each epoch after this many steps (0: the whole epoch); seconds per step are reported")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    images = load_images(os.path.join(args.data_dir, "train-images-idx3-ubyte"))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images), batch_size=64, shuffle=True)
    z_size, hidden = 100, 32
    if args.architecture == "dcgan":
        D, G = DcganDiscriminator(), DcganGenerator(z_size)
        D.apply(dcgan_init)
        G.apply(dcgan_init)
        d_optimizer = optim.Adam(D.parameters(), 0.0002, betas=(0.5, 0.999))
        g_optimizer = optim.Adam(G.parameters(), 0.0002, betas=(0.5, 0.999))
    else:
        D = Discriminator(784, hidden, 1)
        G = Generator(z_size, hidden, 784)
        d_optimizer = optim.Adam(D.parameters(), 0.002)
        g_optimizer = optim.Adam(G.parameters(), 0.002)

    epoch_seconds = []
    epoch_steps = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        D.train()
        G.train()
        steps = 0
        for (real_images,) in loader:
            if args.max_steps and steps == args.max_steps:
                break
            steps += 1
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
        epoch_steps.append(steps)

    print(json.dumps({
        "torch": torch.__version__,
        "architecture": args.architecture,
        "threads": args.threads,
        "epoch_seconds": epoch_seconds,
        "epoch_steps": epoch_steps,
        "seconds_per_step": [s / n for s, n in zip(epoch_seconds, epoch_steps)],
        "d_loss": float(d_loss),
        "g_loss": float(g_loss),
    }))


if __name__ == "__main__":
    main()
