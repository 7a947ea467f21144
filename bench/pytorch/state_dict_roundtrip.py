"""The PyTorch side of Microsoft.ML.Gan's generator import and export (test/.../PyTorch/PyTorchGeneratorTests.cs).

make:  builds the article's Generator (or the DCGAN generator) from gan_reference.py with random weights (DCGAN:
       random batch-norm statistics too, so eval mode is not the identity), saves torch.save(G.state_dict(), G.pt),
       draws latent vectors and writes them and G(z) in eval mode (tanh outputs in [-1, 1]).
check: builds the same class, loads an exported state_dict with load_state_dict(strict=True) -- no key changes --
       and writes G(z) for the given latent vectors.
Arrays are raw little-endian float32 files (shape in the .NET test); .safetensors files are read with the few lines
of the format below, as Debian's python3-torch ships no safetensors module.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gan_reference import DcganGenerator, Generator  # noqa: E402


def build(args):
    if args.architecture == "dcgan":
        return DcganGenerator(args.latent_dim, args.width)
    return Generator(args.latent_dim, args.hidden_size, 784)


def load_safetensors(path):
    """A safetensors file: uint64 header size, JSON header {name: {dtype, shape, data_offsets}}, then the data."""
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    state = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=dtypes[entry["dtype"]]).reshape(entry["shape"])
        state[name] = torch.from_numpy(array.copy())
    return state


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["make", "check"])
    parser.add_argument("--architecture", choices=["mlp", "dcgan"], default="mlp")
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--hidden-size", type=int, default=32)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--dir", required=True, help="make: where G.pt, latents.f32 and images.f32 go")
    parser.add_argument("--weights", help="check: the exported state_dict (.pt or .safetensors)")
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    G = build(args)

    if args.mode == "make":
        if args.architecture == "dcgan":
            with torch.no_grad():
                for bn in (G.bn0, G.bn1):
                    bn.running_mean.uniform_(-0.5, 0.5)
                    bn.running_var.uniform_(0.5, 2.0)
                    bn.weight.uniform_(0.5, 1.5)
                    bn.bias.uniform_(-0.2, 0.2)
        torch.save(G.state_dict(), os.path.join(args.dir, "G.pt"))
        z = torch.empty(args.count, args.latent_dim).uniform_(-1, 1)
        z.numpy().astype("<f4").tofile(os.path.join(args.dir, "latents.f32"))
        out = os.path.join(args.dir, "images.f32")
    else:
        state = load_safetensors(args.weights) if args.weights.endswith(".safetensors") else torch.load(args.weights)
        G.load_state_dict(state, strict=True)
        z = torch.from_numpy(np.fromfile(os.path.join(args.dir, "latents.f32"), dtype="<f4").reshape(args.count, args.latent_dim))
        out = os.path.join(args.dir, "checked.f32")

    G.eval()
    with torch.no_grad():
        G(z).numpy().astype("<f4").tofile(out)


if __name__ == "__main__":
    main()
