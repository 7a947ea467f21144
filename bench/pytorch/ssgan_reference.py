"""PyTorch reference of Microsoft.ML.Gan's semi-supervised GAN classifier (Training/SemiSupervisedTrainer.cs), step for step,
for the side-by-side timing in bench/run.sh and as a check of the recipe.

The Improved GAN (Salimans et al. 2016, feature matching) on MNIST with N labels per class: a classifier-discriminator
(--network Mlp, the default: the paper's weight-normalised MLP, Gaussian noise 0.1 on the input, 0.5 after each of
1000-500-250-250-250 ReLU units, hidden scales fixed after a data-dependent initialisation, the output's trained;
--network Cnn: two strided convolutions and a dense layer, see ConvClassifier), a generator z ~ U(0,1)^100 -> 500 -> 500
(batch norm shift only, softplus) -> 784 weight-normalised, softplus. Every step: labelled rows (the labelled set repeated,
reshuffled each time round) shifted by up to 2 pixels, unlabelled rows, generated rows and the unlabelled rows' strong view
(turned by up to 20 degrees, scaled by up to 15 %, sheared by up to 0.3, moved by up to 4 pixels, with an 8 x 8 cut-out;
--strong-augmentation ShiftAndCutOut: moved only) in one classifier pass; loss = cross-entropy + the GAN term + the FixMatch term (targets
from a copy shifted by up to 1 pixel, scored with the training noise unless --noisy-targets false, aligned with a uniform class distribution
unless --distribution-alignment false, counted at confidence >= --confidence, 0.8 as the library's default); then a generator step of feature matching on a second
unlabelled stream (a second one when its loss is above 1 after epoch 2). Adam 0.003 (0.5, 0.999), both rates falling
linearly to 0 over the last 30 % of the steps; an average of the classifier's weights (decay min(0.999, (1+t)/(10+t)))
is what is measured. Then --self-training-epochs (20 as the library's default; 0 stops after the GAN): the average labels
every training image, and a fresh ConvClassifier learns the labelled images and the unlabelled ones labelled with
probability >= --pseudo-label-confidence (0.95), each step 100 of them turned, scaled, sheared and moved (the strong view
without the cut-out), by cross-entropy with Adam 0.001 (0.9, 0.999), the same linear decay and ramped weight average;
unless --student-consistency false, each step also takes 100 unlabelled images, which the student's average labels from
a copy shifted by up to 1 pixel, and the student must give a label of probability >= --pseudo-label-confidence to the
image's affine view (weight 1).
MNIST is read from the original IDX files the .NET loader fills. Prints one JSON object.
"""
import argparse
import copy
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HIDDEN = [1000, 500, 250, 250, 250]


def idx(path):
    with open(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range(magic & 0xFF)]
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


class WeightNormLinear(nn.Module):
    def __init__(self, inputs, outputs, train_scale, std):
        super().__init__()
        self.v = nn.Parameter(torch.empty(outputs, inputs))
        self.scale = nn.Parameter(torch.ones(outputs), requires_grad=train_scale)
        self.bias = nn.Parameter(torch.zeros(outputs))
        with torch.no_grad():
            if std > 0:
                self.v.normal_(0, std)
            else:
                nn.init.xavier_uniform_(self.v)

    def weight(self):
        return self.v * (self.scale / (self.v * self.v).sum(1).sqrt()).unsqueeze(1)

    def forward(self, x):
        return F.linear(x, self.weight(), self.bias)

    @torch.no_grad()
    def initialize_from(self, x):
        a = F.linear(x, self.weight())
        m = a.mean(0)
        c = a - m
        s = (c * c).mean(0).sqrt()
        self.scale.div_(s)
        self.bias.copy_(-(m / s))
        return c / s


class Classifier(nn.Module):
    def __init__(self, inputs, classes):
        super().__init__()
        sizes = [inputs] + HIDDEN
        self.hidden = nn.ModuleList([WeightNormLinear(sizes[i], sizes[i + 1], False, 0.1) for i in range(len(HIDDEN))])
        self.output = WeightNormLinear(HIDDEN[-1], classes, True, 0.1)

    def noisy(self, x, deviation):
        return x + torch.randn_like(x) * deviation if self.training else x

    def forward(self, x):
        x = self.noisy(x, 0.1)
        features = x
        for layer in self.hidden:
            features = F.relu(layer(x))
            x = self.noisy(features, 0.5)
        return self.output(x), features

    @torch.no_grad()
    def initialize_from(self, images):
        x = self.noisy(images, 0.1)
        for layer in self.hidden:
            x = self.noisy(F.relu(layer.initialize_from(x)), 0.5)
        self.output.initialize_from(x)


class ConvClassifier(nn.Module):
    """--network Cnn (CnnSemiSupervisedDiscriminator): noise 0.1 on the input, Conv2d(1 -> 32, 5x5, stride 2, pad 2), LeakyReLU 0.2,
    Conv2d(32 -> 32, 3x3, stride 2, pad 1), LeakyReLU 0.2, flatten, dense 256, LeakyReLU 0.2 (the features), dense 10;
    PyTorch's default initialisation."""

    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, 2, 2)
        self.conv2 = nn.Conv2d(32, 32, 3, 2, 1)
        self.hidden = nn.Linear(32 * 7 * 7, 256)
        self.output = nn.Linear(256, classes)

    def forward(self, x):
        if self.training:
            x = x + torch.randn_like(x) * 0.1
        x = F.leaky_relu(self.conv1(x.view(-1, 1, 28, 28)), 0.2)
        x = F.leaky_relu(self.conv2(x), 0.2)
        features = F.leaky_relu(self.hidden(x.flatten(1)), 0.2)
        return self.output(features), features

    def initialize_from(self, images):
        pass


class Generator(nn.Module):
    def __init__(self, latent, outputs):
        super().__init__()
        self.fc1 = nn.Linear(latent, 500, bias=False)
        self.shift1 = nn.Parameter(torch.zeros(500))
        self.fc2 = nn.Linear(500, 500, bias=False)
        self.shift2 = nn.Parameter(torch.zeros(500))
        self.output = WeightNormLinear(500, outputs, True, 0)
        nn.init.xavier_uniform_(self.fc1.weight)
        nn.init.xavier_uniform_(self.fc2.weight)

    def forward(self, z):
        x = F.softplus(F.batch_norm(self.fc1(z), None, None, None, self.shift1, True, 0.1, 1e-6))
        x = F.softplus(F.batch_norm(self.fc2(x), None, None, None, self.shift2, True, 0.1, 1e-6))
        return F.softplus(self.output(x))


def shift(images, max_shift):
    """Each image moved by dy, dx in [-s, s] (0 where nothing moved in), as DiffAugment.Shift does."""
    n = images.shape[0]
    x = images.view(n, 1, 28, 28)
    dy = torch.randint(-max_shift, max_shift + 1, (n, 1))
    dx = torch.randint(-max_shift, max_shift + 1, (n, 1))
    rows = torch.arange(28).unsqueeze(0) + dy
    columns = torch.arange(28).unsqueeze(0) + dx
    inside = ((rows >= 0) & (rows < 28)).unsqueeze(2) & ((columns >= 0) & (columns < 28)).unsqueeze(1)
    source = rows.clamp(0, 27).unsqueeze(2) * 28 + columns.clamp(0, 27).unsqueeze(1)
    moved = x.reshape(n, 1, 784).gather(2, source.reshape(n, 1, 784)).view(n, 1, 28, 28)
    return torch.where(inside.unsqueeze(1), moved, torch.zeros_like(moved)).flatten(1)


def cut_out(images, size):
    """A size x size square set to 0, centred anywhere, as DiffAugment.CutOut does."""
    n = images.shape[0]
    x = images.view(n, 1, 28, 28)
    top = torch.randint(0, 28 + (1 - size % 2), (n, 1)) - size // 2
    left = torch.randint(0, 28 + (1 - size % 2), (n, 1)) - size // 2
    r = torch.arange(28).unsqueeze(0)
    cut = ((r >= top) & (r < top + size)).unsqueeze(2) & ((r >= left) & (r < left + size)).unsqueeze(1)
    return torch.where(cut.unsqueeze(1), torch.zeros_like(x), x).flatten(1)


def affine(images, degrees=20.0, scale=0.15, shear=0.3, move=4):
    """Each image turned, scaled, sheared and moved (uniform per image), sampled bilinearly, 0 outside, as DiffAugment.Affine does."""
    n = images.shape[0]

    def uniform(half):
        return (torch.rand(n) - 0.5) * (2 * half)

    angle, s, h = uniform(degrees * np.pi / 180), uniform(scale) + 1, uniform(shear)
    move_x, move_y = uniform(move * 2 / 28), uniform(move * 2 / 28)
    cos, sin = angle.cos(), angle.sin()
    theta = torch.stack([torch.stack([cos / s, (h * cos - sin) / s, move_x], 1),
                         torch.stack([sin / s, (cos + h * sin) / s, move_y], 1)], 1)
    grid = F.affine_grid(theta, [n, 1, 28, 28], align_corners=False)
    return F.grid_sample(images.view(n, 1, 28, 28), grid, mode="bilinear", padding_mode="zeros", align_corners=False).flatten(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mnist-dir", default=os.path.expanduser("~/.cache/Microsoft.ML.Gan/mnist"))
    p.add_argument("--labels-per-class", type=int, default=10)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (for timing)")
    p.add_argument("--validation-rows", type=int, default=10000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--confidence", type=float, default=0.8, help="consistency confidence (SemiSupervisedGanOptions.ConfidenceThreshold)")
    p.add_argument("--strong-augmentation", default="AffineAndCutOut", choices=["AffineAndCutOut", "ShiftAndCutOut"],
                   help="the consistency term's strong view (SemiSupervisedGanOptions.StrongAugmentation)")
    p.add_argument("--network", default="Mlp", choices=["Mlp", "Cnn"], help="the classifier's network (SemiSupervisedGanOptions.Network)")
    p.add_argument("--self-training-epochs", type=int, default=20, help="epochs of the student after the GAN (SemiSupervisedGanOptions.SelfTrainingEpochs)")
    p.add_argument("--pseudo-label-confidence", type=float, default=0.95, help="SemiSupervisedGanOptions.PseudoLabelConfidence")
    p.add_argument("--student-consistency", default="true", choices=["true", "false"],
                   help="the student's own consistency term in the affine view (SemiSupervisedGanOptions.StudentConsistency, true by default, "
                        "with StudentStrongAugmentation = Affine)")
    p.add_argument("--consistency-start", type=float, default=0.0,
                   help="share of the GAN's steps, at the start, without the consistency term (SemiSupervisedGanOptions.ConsistencyStartShare)")
    p.add_argument("--noisy-targets", default="true", choices=["true", "false"],
                   help="targets with the training noise on (SemiSupervisedGanOptions.NoisyConsistencyTargets, true by default)")
    p.add_argument("--distribution-alignment", default="true", choices=["true", "false"],
                   help="align the targets' class distribution with a uniform one (SemiSupervisedGanOptions.DistributionAlignment, true by default)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.RandomState(args.seed)
    d = args.mnist_dir
    x = torch.tensor(idx(f"{d}/train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    y = torch.tensor(idx(f"{d}/train-labels-idx1-ubyte").astype(np.int64))
    held = args.validation_rows
    if held:
        test_x, test_y, x, y = x[-held:], y[-held:], x[:-held], y[:-held]
    else:
        test_x = torch.tensor(idx(f"{d}/t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
        test_y = torch.tensor(idx(f"{d}/t10k-labels-idx1-ubyte").astype(np.int64))
    labelled = np.concatenate([rng.permutation(np.where(y.numpy() == c)[0])[: args.labels_per_class] for c in range(10)])
    labelled = torch.tensor(labelled)

    classifier = Classifier(784, 10) if args.network == "Mlp" else ConvClassifier(10)
    generator = Generator(100, 784)
    classifier.initialize_from(x[:500])
    average = copy.deepcopy(classifier).eval()
    classifier_optimizer = torch.optim.Adam([q for q in classifier.parameters() if q.requires_grad], lr=0.003, betas=(0.5, 0.999))
    generator_optimizer = torch.optim.Adam(generator.parameters(), lr=0.003, betas=(0.5, 0.999))
    b, n = 100, len(x)
    per_epoch = n // b
    total = args.epochs * per_epoch if not args.max_steps else args.max_steps
    done, timings, history = 0, [], []

    trained = [q for q in classifier.parameters() if q.requires_grad]
    mean_prediction = torch.full((10,), 0.1)   # distribution alignment's running mean prediction on unlabelled rows

    def generator_step(real):
        generated = generator(torch.rand(b, 100))
        for q in trained:            # only the generator learns here: no weight gradients for the classifier, as the .NET loop does
            q.requires_grad_(False)
        _, features = classifier(torch.cat([real, generated]))
        for q in trained:
            q.requires_grad_(True)
        difference = features[:len(real)].mean(0).detach() - features[len(real):].mean(0)
        loss = (difference * difference).mean()
        generator_optimizer.zero_grad()
        loss.backward()
        generator_optimizer.step()
        return loss.item()

    for epoch in range(1, args.epochs + 1):
        order = torch.cat([labelled[torch.randperm(len(labelled))] for _ in range(per_epoch * b // len(labelled) + 1)])
        first, second = torch.randperm(n), torch.randperm(n)
        start_time = time.perf_counter()
        for step in range(per_epoch):
            if done == total:
                break
            factor = min(1.0, (total - done) / (0.3 * total))
            for o in (classifier_optimizer, generator_optimizer):
                for group in o.param_groups:
                    group["lr"] = 0.003 * factor
            rows = order[step * b:(step + 1) * b]
            labelled_x, labelled_y = shift(x[rows], 2), y[rows]
            unlabelled = x[first[step * b:(step + 1) * b]]
            with_term = done >= args.consistency_start * total   # SemiSupervisedTrainer: the term from ConsistencyStartShare of the budget on
            with torch.no_grad():
                fake = generator(torch.rand(b, 100))
                if with_term:
                    classifier.train(args.noisy_targets == "true")
                    weak = F.softmax(classifier(shift(unlabelled, 1))[0], 1)
                    classifier.train()
                    if args.distribution_alignment == "true":   # ReMixMatch's alignment with a uniform distribution, decay 127/128
                        mean_prediction.mul_(127 / 128).add_(weak.mean(0), alpha=1 / 128)
                        weak = weak / (10 * mean_prediction)
                        weak = weak / weak.sum(1, keepdim=True)
                    confidence, targets = weak.max(1)
                    confident = (confidence >= args.confidence).float()
            batch = [labelled_x, unlabelled, fake]
            if with_term:
                batch.append(cut_out(affine(unlabelled) if args.strong_augmentation == "AffineAndCutOut" else shift(unlabelled, 4), 8))
            logits, _ = classifier(torch.cat(batch))
            loss_lab = F.cross_entropy(logits[:b], labelled_y)
            real_lse, fake_lse = logits[b:2 * b].logsumexp(1), logits[2 * b:3 * b].logsumexp(1)
            loss_unl = 0.5 * (F.softplus(real_lse).mean() - real_lse.mean() + F.softplus(fake_lse).mean())
            consistency = (F.cross_entropy(logits[3 * b:], targets, reduction="none") * confident).mean() if with_term else 0
            classifier_optimizer.zero_grad()
            (loss_lab + loss_unl + consistency).backward()
            classifier_optimizer.step()
            with torch.no_grad():
                decay = min(0.999, (1 + done + 1) / (10 + done + 1))   # ramped, as the .NET trainer does
                for a, c in zip(average.state_dict().values(), classifier.state_dict().values()):
                    a.mul_(decay).add_(c, alpha=1 - decay)
            real = x[second[step * b:(step + 1) * b]]
            if generator_step(real) > 1 and epoch > 2:
                generator_step(real)
            done += 1
        timings.append(time.perf_counter() - start_time)
        with torch.no_grad():
            correct = sum((average(test_x[i:i + 1000])[0].argmax(1) == test_y[i:i + 1000]).sum().item() for i in range(0, len(test_x), 1000))
        history.append(correct / len(test_x))
        if done == total:
            break
    steps_timed = done
    student_steps, student_seconds = self_train(args, x, y, labelled, average, test_x, test_y, history)
    print(json.dumps({"framework": f"PyTorch {torch.__version__}", "threads": args.threads, "steps": steps_timed,
                      "seconds": sum(timings), "seconds_per_step": sum(timings) / max(steps_timed, 1),
                      "student_steps": student_steps, "student_seconds_per_step": student_seconds / max(student_steps, 1), "accuracy": history}))


def self_train(args, x, y, labelled, teacher, test_x, test_y, history):
    """The student (SemiSupervisedTrainer.SelfTrain); appends its accuracy per epoch to history. Returns its steps and seconds."""
    if args.self_training_epochs == 0:
        return 0, 0.0
    with torch.no_grad():
        probabilities = torch.cat([F.softmax(teacher(x[i:i + 1000])[0], 1) for i in range(0, len(x), 1000)])
    best, classes = probabilities.max(1)
    known = torch.zeros(len(x), dtype=torch.bool)
    known[labelled] = True
    classes = torch.where(known, y, classes)
    rows = (known | (best >= args.pseudo_label_confidence)).nonzero().flatten()
    unlabelled = (~known).nonzero().flatten() if args.student_consistency == "true" else None
    student = ConvClassifier(10)
    average = copy.deepcopy(student).eval()
    optimizer = torch.optim.Adam(student.parameters(), lr=0.001, betas=(0.9, 0.999))
    b = 100
    per_epoch = max(1, len(rows) // b)
    total, done, seconds = args.self_training_epochs * per_epoch, 0, 0.0
    for _ in range(args.self_training_epochs):
        order = rows[torch.randperm(len(rows))]
        unlabelled_order = None if unlabelled is None else unlabelled[torch.randperm(len(unlabelled))]
        student.train()
        start_time = time.perf_counter()
        for step in range(per_epoch):
            for group in optimizer.param_groups:
                group["lr"] = 0.001 * min(1.0, (total - done) / (0.3 * total))
            batch = order[step * b:(step + 1) * b]
            if unlabelled_order is None:
                loss = F.cross_entropy(student(affine(x[batch]))[0], classes[batch])
            else:   # SemiSupervisedTrainer.SelfTrain's consistency term: the average labels a pixel's shift, the student learns the affine view
                taught = affine(x[batch])
                take = min(b, len(unlabelled_order))
                start = (step * take) % max(1, len(unlabelled_order) - take + 1)   # WrappedBatch
                images = x[unlabelled_order[start:start + take]]
                with torch.no_grad():
                    confidence, own = F.softmax(average(shift(images, 1))[0], 1).max(1)
                    confident = (confidence >= args.pseudo_label_confidence).float()
                logits = student(torch.cat([taught, affine(images)]))[0]
                consistency = F.cross_entropy(logits[len(batch):], own, reduction="none")
                loss = F.cross_entropy(logits[:len(batch)], classes[batch]) + (consistency * confident).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                decay = min(0.999, (1 + done + 1) / (10 + done + 1))
                for a, c in zip(average.state_dict().values(), student.state_dict().values()):
                    a.mul_(decay).add_(c, alpha=1 - decay)
            done += 1
        seconds += time.perf_counter() - start_time
        with torch.no_grad():
            correct = sum((average(test_x[i:i + 1000])[0].argmax(1) == test_y[i:i + 1000]).sum().item() for i in range(0, len(test_x), 1000))
        history.append(correct / len(test_x))
    return done, seconds


if __name__ == "__main__":
    main()
