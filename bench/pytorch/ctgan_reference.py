"""The table generator's recipe in plain PyTorch, for timing next to `gan-samples table` (bench/run.py).

CTGAN (Xu et al. 2019) as sdv-dev/CTGAN writes it, on a CSV file with a header: mode-specific normalisation of numbers
(scikit-learn's BayesianGaussianMixture, 10 components, Dirichlet-process prior 0.001, modes under 0.5 % weight dropped;
a value's mode drawn from its posterior, alpha = (x - mean) / (4 sd) clipped to +-0.99), one-hots for text columns and for
integer columns with at most 20 values; training-by-sampling (a discrete column uniformly, a category by log-frequency, a
real row with it, drawn with numpy as CTGAN's DataSampler does); a residual generator (256, 256), a PacGAN critic (256,
256; packs of 10; LeakyReLU 0.2, dropout 0.5), WGAN-GP (lambda 10, one alpha per pack), tanh and Gumbel-softmax (tau 0.2)
heads applied per span, the condition's cross-entropy per discrete column; Adam 2e-4, betas (0.5, 0.9); batch 500.

The loop is the one the .NET library runs (src/Microsoft.ML.Gan/Training/GanTrainer.cs, TableRows.cs), so both sides
compute the same steps: the critic's fakes are made without gradients and real and fake rows go through the critic in one
pass (CTGAN's own code keeps the generator's graph there and makes two passes, which computes the same updates more
slowly); Adam has no weight decay (CTGAN's 1e-6 is left out on both sides).

  python3 bench/pytorch/ctgan_reference.py --csv data/adult/adult-train.csv --epochs 3 --threads 1
prints JSON: seconds per epoch, milliseconds per step (median of the epochs after the first), the widths and the version.
"""
import argparse
import csv
import json
import statistics
import time

import numpy as np
import torch
from torch import nn
from sklearn.mixture import BayesianGaussianMixture


def read_table(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    columns = []
    for c, name in enumerate(header):
        values = [r[c].strip() for r in rows]
        try:
            numbers = np.array([float(v) for v in values])
            integers = all(float(v).is_integer() for v in values)
        except ValueError:
            numbers, integers = None, False
        if numbers is not None and not (integers and len(set(values)) <= 20):
            columns.append((name, "continuous", numbers))
        else:
            columns.append((name, "discrete", np.array(values)))
    return columns


class ContinuousColumn:
    def __init__(self, values, seed):
        self.gm = BayesianGaussianMixture(n_components=10, weight_concentration_prior_type="dirichlet_process",
                                          weight_concentration_prior=0.001, max_iter=100, n_init=1, random_state=seed)
        self.gm.fit(values.reshape(-1, 1))
        self.valid = self.gm.weights_ > 0.005
        self.modes = int(self.valid.sum())
        self.spans = [(1, "tanh"), (self.modes, "softmax")]

    def encode(self, values, rng):
        means = self.gm.means_.reshape(-1)[self.valid]
        stds = np.sqrt(self.gm.covariances_.reshape(-1))[self.valid]
        normalized = (values.reshape(-1, 1) - means) / (4 * stds)
        probs = self.gm.predict_proba(values.reshape(-1, 1))[:, self.valid] + 1e-6
        probs = probs / probs.sum(axis=1, keepdims=True)
        chosen = np.array([rng.choice(self.modes, p=p) for p in probs])
        out = np.zeros((len(values), 1 + self.modes), dtype=np.float32)
        out[:, 0] = np.clip(normalized[np.arange(len(values)), chosen], -0.99, 0.99)
        out[np.arange(len(values)), 1 + chosen] = 1
        return out


class DiscreteColumn:
    def __init__(self, values):
        self.categories = list(dict.fromkeys(values.tolist()))
        self.index = {c: i for i, c in enumerate(self.categories)}
        self.spans = [(len(self.categories), "softmax")]

    def encode(self, values, rng):
        out = np.zeros((len(values), len(self.categories)), dtype=np.float32)
        out[np.arange(len(values)), [self.index[v] for v in values.tolist()]] = 1
        return out


class DataSampler:
    """CTGAN's DataSampler: conditional vectors by log-frequency and real rows that have their category."""

    def __init__(self, data, columns, rng):
        self.rng = rng
        self.data = data
        self.discrete = []  # (first encoded column, width, first condvec column)
        offset, cond = 0, 0
        for column in columns:
            width = sum(w for w, _ in column.spans)
            if isinstance(column, DiscreteColumn):
                self.discrete.append((offset, width, cond))
                cond += width
            offset += width
        self.cond_width = cond
        self.rid_by_cat = [[np.nonzero(data[:, o + k])[0] for k in range(w)] for o, w, _ in self.discrete]
        self.prob = []
        for o, w, _ in self.discrete:
            freq = np.log(data[:, o:o + w].sum(axis=0) + 1)
            self.prob.append(freq / freq.sum())

    def sample_condvec(self, batch):
        cols = self.rng.choice(len(self.discrete), batch)
        cond = np.zeros((batch, self.cond_width), dtype=np.float32)
        opts = np.array([np.argmax(np.cumsum(self.prob[c]) > self.rng.random()) for c in cols])
        cond[np.arange(batch), np.array([self.discrete[c][2] for c in cols]) + opts] = 1
        return cond, cols, opts

    def sample_data(self, cols, opts):
        return self.data[[self.rng.choice(self.rid_by_cat[c][o]) for c, o in zip(cols, opts)]]


class Residual(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.fc = nn.Linear(i, o)
        self.bn = nn.BatchNorm1d(o)

    def forward(self, x):
        return torch.cat([torch.relu(self.bn(self.fc(x))), x], dim=1)


class Generator(nn.Module):
    def __init__(self, latent, sizes, width):
        super().__init__()
        layers, dim = [], latent
        for size in sizes:
            layers.append(Residual(dim, size))
            dim += size
        layers.append(nn.Linear(dim, width))
        self.seq = nn.Sequential(*layers)

    def forward(self, x):
        return self.seq(x)


class Discriminator(nn.Module):
    def __init__(self, width, sizes, pac):
        super().__init__()
        self.pac, self.pacdim = pac, width * pac
        layers, dim = [], self.pacdim
        for size in sizes:
            layers += [nn.Linear(dim, size), nn.LeakyReLU(0.2), nn.Dropout(0.5)]
            dim = size
        layers.append(nn.Linear(dim, 1))
        self.seq = nn.Sequential(*layers)

    def forward(self, x):
        return self.seq(x.view(-1, self.pacdim))

    def gradient_penalty(self, real, fake, weight):
        alpha = torch.rand(real.size(0) // self.pac, 1, 1).repeat(1, self.pac, real.size(1)).view(-1, real.size(1))
        interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        scores = self(interpolates)
        gradients = torch.autograd.grad(scores, interpolates, torch.ones_like(scores), create_graph=True, retain_graph=True)[0]
        return ((gradients.view(-1, self.pac * real.size(1)).norm(2, dim=1) - 1) ** 2).mean() * weight


def apply_activate(data, spans):
    out, start = [], 0
    for width, kind in spans:
        piece = data[:, start:start + width]
        out.append(torch.tanh(piece) if kind == "tanh" else nn.functional.gumbel_softmax(piece, tau=0.2))
        start += width
    return torch.cat(out, dim=1)


def cond_loss(data, cond, mask, sampler):
    losses = []
    for k, (o, w, c) in enumerate(sampler.discrete):
        losses.append(nn.functional.cross_entropy(data[:, o:o + w], torch.argmax(cond[:, c:c + w], dim=1), reduction="none"))
    return (torch.stack(losses, dim=1) * mask).sum() / data.size(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    columns = []
    encoded = []
    for name, kind, values in read_table(args.csv):
        column = ContinuousColumn(values, args.seed) if kind == "continuous" else DiscreteColumn(values)
        columns.append(column)
        encoded.append(column.encode(values, rng))
    data = np.concatenate(encoded, axis=1)
    spans = [span for column in columns for span in column.spans]
    sampler = DataSampler(data, columns, rng)
    width, latent, batch, pac = data.shape[1], 128, args.batch_size, 10

    generator = Generator(latent + sampler.cond_width, (256, 256), width)
    critic = Discriminator(width + sampler.cond_width, (256, 256), pac)
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.9))
    optimizer_d = torch.optim.Adam(critic.parameters(), lr=2e-4, betas=(0.5, 0.9))
    steps = max(len(data) // batch, 1)
    mean, std = torch.zeros(batch, latent), torch.ones(batch, latent)
    epoch_seconds = []
    for epoch in range(args.epochs):
        started = time.perf_counter()
        for _ in range(steps):
            # Critic step: conditions for the fakes, real rows with those categories (shuffled with their conditions).
            condvec, cols, opts = sampler.sample_condvec(batch)
            c1 = torch.from_numpy(condvec)
            perm = np.arange(batch)
            rng.shuffle(perm)
            real = torch.from_numpy(sampler.sample_data(cols[perm], opts[perm]))
            c2 = c1[perm]
            with torch.no_grad():
                fake = apply_activate(generator(torch.cat([torch.normal(mean, std), c1], dim=1)), spans)
            real_cat, fake_cat = torch.cat([real, c2], dim=1), torch.cat([fake, c1], dim=1)
            scores = critic(torch.cat([real_cat, fake_cat], dim=0))
            half = scores.size(0) // 2
            loss_d = scores[half:].mean() - scores[:half].mean() + critic.gradient_penalty(real_cat, fake_cat, 10.0)
            optimizer_d.zero_grad(set_to_none=False)
            loss_d.backward()
            optimizer_d.step()

            # Generator step: fresh conditions, the critic's score and the condition's cross-entropy.
            condvec, cols, opts = sampler.sample_condvec(batch)
            c1 = torch.from_numpy(condvec)
            mask = torch.from_numpy(np.eye(len(sampler.discrete), dtype=np.float32)[cols])
            raw = generator(torch.cat([torch.normal(mean, std), c1], dim=1))
            fakeact = apply_activate(raw, spans)
            for p in critic.parameters():
                p.requires_grad_(False)
            loss_g = -critic(torch.cat([fakeact, c1], dim=1)).mean() + cond_loss(raw, c1, mask, sampler)
            for p in critic.parameters():
                p.requires_grad_(True)
            optimizer_g.zero_grad(set_to_none=False)
            loss_g.backward()
            optimizer_g.step()
        epoch_seconds.append(time.perf_counter() - started)

    timed = epoch_seconds[1:] or epoch_seconds
    print(json.dumps({
        "epoch_seconds": epoch_seconds,
        "ms_per_step": 1000 * statistics.median(timed) / steps,
        "steps_per_epoch": steps,
        "encoded_width": width,
        "condition_width": sampler.cond_width,
        "torch": torch.__version__,
        "threads": args.threads,
    }))


if __name__ == "__main__":
    main()
