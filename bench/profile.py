"""Where a training step's time goes: samples a `gan-samples train` run with Linux perf and sums the samples by kind.

  python3 bench/profile.py [--architecture Mlp] [--epochs 3] [--threads 1] [--delay-ms 6000]
  python3 bench/profile.py --table [--epochs 60] [--window-s 40]   # the table generator (`gan-samples table`) on
                                                                  # data/adult: its training steps only (see --window-s)
  python3 bench/profile.py --semi-supervised [--max-steps 300]   # the semi-supervised GAN's steps (no self-training; the
                                                                # last seconds are saving and checking the zip: ONNX Runtime)

Sampling starts after --delay-ms (start-up: JIT, reading MNIST, the data fingerprint), so nearly every sample is
training. With --window-s, perf attaches to the running command after the delay, samples for that many seconds and the
command is stopped: the table generator's run ends with seconds of scoring and saving that are not training, so --table
samples a window of its training (by default 40 s from 12 s, inside 60 epochs of about 2.5 s). Prints a Markdown table:
share of samples per kind, and the top symbols. Needs `perf` (Debian: linux-perf).
"""
import argparse
import collections
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ["dotnet", str(ROOT / "src/Gan.Samples/bin/Release/net10.0/gan-samples.dll")]

KINDS = [
    # Code generated at run time without a name is oneDNN's convolution kernels (.NET methods carry names in the perf map).
    ("matrix products and convolutions (MKL sgemm, oneDNN)", lambda dso, sym: "gemm" in sym or "dnnl" in sym or "jit_avx" in sym or "brgemm" in sym
     or (dso.startswith("[JIT]") and sym.startswith("0x"))),
    ("batch normalization (ATen)", lambda dso, sym: "batch_norm" in sym),
    ("tanh, sqrt (MKL vector math)", lambda dso, sym: "mkl_vml" in sym),
    # libtorch's generator (Mersenne Twister, one number at a time) and what turns its numbers into a distribution's:
    # exponential_ calls libm's log1p per element.
    ("random numbers (libtorch's generator, libm's log1p)", lambda dso, sym: "CPUGeneratorImpl" in sym or "exponential_kernel" in sym
     or "normal_kernel" in sym or "uniform_kernel" in sym or "log1p" in sym),
    ("element-wise kernels (ATen loops)", lambda dso, sym: "VectorizedLoop" in sym or "cpu_kernel" in sym or "cpu_serial_kernel" in sym
     or "loop_2d_from_1d" in sym or "reduce" in sym.lower() or "sum_kernel" in sym or "cascade_sum" in sym),
    # With more than one thread: the OpenMP pool's threads between parallel regions, spinning until the next one.
    ("OpenMP threads waiting for work (libgomp)", lambda dso, sym: dso.startswith("libgomp")),
    ("operator dispatch and tensor bookkeeping (libtorch, c10)", lambda dso, sym: dso.startswith("libtorch") or dso.startswith("libc10")),
    ("memory: malloc/free, copies, page faults (libc, kernel)", lambda dso, sym: dso.startswith("libc.so") or dso == "[kernel.kallsyms]" or dso.startswith("ld-linux")),
    (".NET: JIT-compiled code, runtime, TorchSharp interop", lambda dso, sym: dso.startswith("memfd:doublemapper") or "coreclr" in dso or "clrjit" in dso
     or "LibTorchSharp" in dso or "System." in dso or dso.endswith(".dll") or dso.startswith("[JIT]") or dso.startswith("perf-")),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--architecture", default="Mlp")
    parser.add_argument("--epochs", type=int, default=None, help="default 3 (60 with --table)")
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--delay-ms", type=int, default=None, help="default 6000 (12000 with --table)")
    parser.add_argument("--window-s", type=int, default=None, help="sample this many seconds, then stop the command (default: until it ends; 40 with --table)")
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--table", action="store_true", help="profile `gan-samples table` (CTGAN on data/adult) instead of `train`")
    parser.add_argument("--semi-supervised", action="store_true",
                        help="profile `gan-samples semi-supervised` (the shipped recipe's GAN steps, 100 labels, no self-training) instead of `train`")
    args = parser.parse_args()
    args.epochs = args.epochs or (60 if args.table else 3)
    default_delay_ms = 12000 if args.table else 6000
    args.delay_ms = args.delay_ms or default_delay_ms
    args.window_s = args.window_s or (40 if args.table else 0)
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="gan-profile-"))
    data = scratch / "perf.data"
    command = APP + ["train", "--architecture", args.architecture, "--threads", str(args.threads), "--eval-every", "0",
                     "--output", str(scratch / "out"), "--log-level", "Warning"]
    command += ["--max-steps", str(args.max_steps)] if args.max_steps else ["--epochs", str(args.epochs)]
    if args.table:
        command = APP + ["table", "--csv", str(ROOT / "data/adult/adult-train.csv"), "--epochs", str(args.epochs), "--rows", "10",
                         "--threads", str(args.threads), "--output", str(scratch / "out"), "--log-level", "Warning"]
    if args.semi_supervised:
        command = APP + ["semi-supervised", "--max-steps", str(args.max_steps or 300), "--self-training-epochs", "0", "--threads", str(args.threads),
                         "--seed", "1", "--output", str(scratch / "out"), "--log-level", "Warning"]
    env = {**os.environ, "DOTNET_PerfMapEnabled": "1"}
    if args.window_s:
        app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(args.delay_ms / 1000)
            if app.poll() is not None:
                sys.exit(f"the command ended (exit {app.returncode}) before the window: {' '.join(command)}")
            subprocess.run(["perf", "record", "-F", "499", "-p", str(app.pid), "-o", str(data), "--", "sleep", str(args.window_s)],
                           check=True, capture_output=True)
            if app.poll() is not None:
                sys.exit(f"the command ended inside the window (exit {app.returncode}): give it more --epochs")
        finally:
            app.kill()
            app.wait()
    else:
        subprocess.run(["perf", "record", "-F", "499", "-D", str(args.delay_ms), "-o", str(data), "--"] + command,
                       check=True, env=env, capture_output=True)
    report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--sort", "dso,sym", "-g", "none", "--stdio"],
                            check=True, capture_output=True, text=True).stdout
    shutil.rmtree(scratch, ignore_errors=True)
    line = re.compile(r"^\s*([\d.]+)%\s+(.+?)\s+\[[.k]\]\s+(.*)$")
    kinds = collections.Counter()
    symbols = []
    for text in report.splitlines():
        match = line.match(text)
        if not match:
            continue
        share, dso, symbol = float(match.group(1)), match.group(2), match.group(3).strip()
        symbols.append((share, dso, symbol))
        kind = next((name for name, test in KINDS if test(dso, symbol)), "other")
        kinds[kind] += share
    setting = f"`python3 bench/profile.py --architecture {args.architecture} " + \
              (f"--max-steps {args.max_steps}" if args.max_steps else f"--epochs {args.epochs}") + f" --threads {args.threads}`"
    if args.table:
        setting = f"`python3 bench/profile.py --table --epochs {args.epochs} --window-s {args.window_s} --threads {args.threads}`"
    if args.semi_supervised:
        setting = f"`python3 bench/profile.py --semi-supervised --max-steps {args.max_steps or 300} --threads {args.threads}`"
    if args.window_s and not args.table:
        setting = setting[:-1] + f" --delay-ms {args.delay_ms} --window-s {args.window_s}`"
    elif args.delay_ms != default_delay_ms:
        setting = setting[:-1] + f" --delay-ms {args.delay_ms}`"
    print(f"| kind of work ({setting}) | share of CPU samples |")
    print("|---|---|")
    for name, share in kinds.most_common():
        print(f"| {name} | {share:.1f} % |")
    print()
    print("| top symbols | library | share |")
    print("|---|---|---|")
    for share, dso, symbol in sorted(symbols, reverse=True)[:args.top]:
        short = re.sub(r"\(.*", "", symbol)[:90].replace("|", "/")
        print(f"| `{short}` | {dso} | {share:.1f} % |")


if __name__ == "__main__":
    sys.exit(main())
