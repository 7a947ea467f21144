"""The benchmark run behind docs/BENCHMARKS.md (started by bench/run.sh, which builds the app and installs PyTorch).

Every training measurement runs .NET and PyTorch in turn, `--repeats` times (default 3), and reports medians:
  - the seed network (the article's vanilla GAN), one MNIST epoch, 1 and 2 threads on each side, on a quiet
    machine and with one core kept busy by another process;
  - the DCGAN, `--dcgan-steps` steps (default 100) with 1 and 2 threads, quiet and with one core busy;
    seconds per step times 938 give seconds per epoch;
  - the semi-supervised GAN and the table generator (CTGAN's recipe on data/adult), milliseconds per step.
Then the scoring rates (`gan-samples bench`), the recommended recipe's minutes to quality
(`gan-samples bench --time-to-quality`), where a step's time goes (bench/profile.py, Linux perf), and the
resident memory of a 20-epoch README job and of a DCGAN run (bench/rss.py).
  python3 bench/run.py --output docs/BENCHMARKS.md
"""
import argparse
import contextlib
import csv
import datetime
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ["dotnet", str(ROOT / "src/Gan.Samples/bin/Release/net10.0/gan-samples.dll")]
PYTHON = "/usr/bin/python3"
MODELS = {}  # architecture -> a model zip trained by the first Fit measurement (for the scoring rates)
# The opt-in switch that makes libtorch's MKL run its Intel kernels on other vendors' processors (GanRuntime.UseMklIntelKernels).
MKL_SWITCH = {False: [], True: ["--mkl-intel-kernels"]}
STEPS_PER_EPOCH = 938  # 60,000 images in batches of 64
ADULT_STEPS_PER_EPOCH = 45  # 22,561 rows in batches of 500, CTGAN's floor


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(command, env=None):
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout


class Busy:
    """Keeps one core busy with another process (a Python loop) while in use."""

    def __enter__(self):
        self.process = subprocess.Popen([PYTHON, "-c", "while True: pass"])
        time.sleep(0.5)
        return self

    def __exit__(self, *_):
        self.process.kill()
        self.process.wait()


def dotnet_fit(architecture, threads, steps, scratch):
    """Seconds per step of `gan-samples train` (the library's Fit; the epoch time it records, without reading or export)."""
    output = pathlib.Path(tempfile.mkdtemp(dir=scratch))
    command = APP + ["train", "--architecture", architecture, "--threads", str(threads), "--seed", "1", "--eval-every", "0",
                     "--output", str(output), "--log-level", "Warning"]
    command += ["--max-steps", str(steps)] if steps else ["--epochs", "1"]
    run(command)
    with open(output / "losses.csv") as f:
        seconds = float(list(csv.DictReader(f))[-1]["seconds"])
    MODELS.setdefault(architecture, output / "mnist-gan.zip")
    return seconds / (steps or STEPS_PER_EPOCH)


def pytorch_fit(architecture, threads, steps, data_dir):
    command = [PYTHON, "bench/pytorch/gan_reference.py", "--data-dir", data_dir, "--architecture", architecture.lower(),
               "--threads", str(threads)]
    if steps:
        command += ["--max-steps", str(steps)]
    result = json.loads(run(command, env={**os.environ, "OMP_NUM_THREADS": str(threads)}))
    return result["seconds_per_step"][0], result["torch"]


def dotnet_semi_supervised(threads, mkl, steps, network, scratch):
    """Seconds per GAN step of `gan-samples semi-supervised` (the training loop's own clock, recorded per epoch in accuracy.csv)."""
    output = pathlib.Path(tempfile.mkdtemp(dir=scratch))
    run(APP + ["semi-supervised", "--network", network, "--max-steps", str(steps), "--self-training-epochs", "0", "--threads", str(threads), "--seed", "1",
               "--validation-rows", "10000", "--output", str(output), "--log-level", "Warning"] + MKL_SWITCH[mkl])
    with open(output / "accuracy.csv") as f:
        seconds = sum(float(row["seconds"]) for row in csv.DictReader(f))
    return seconds / steps


def pytorch_semi_supervised(threads, steps, network, data_dir):
    command = [PYTHON, "bench/pytorch/ssgan_reference.py", "--network", network, "--mnist-dir", data_dir, "--max-steps", str(steps), "--self-training-epochs", "0",
               "--threads", str(threads)]
    result = json.loads(run(command, env={**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)}))
    return result["seconds_per_step"], result["framework"]


# Self-training's student, timed over one epoch of all 50,000 training images (confidence 0 lets every one in: 500 steps of 100)
# after a single GAN step, so the teacher's quality does not change the step count.
STUDENT_STEPS = 500


def dotnet_student(threads, mkl, scratch):
    """Seconds per student step of `gan-samples semi-supervised` (its self-training epoch's row in accuracy.csv), its own consistency term included."""
    output = pathlib.Path(tempfile.mkdtemp(dir=scratch))
    run(APP + ["semi-supervised", "--max-steps", "1", "--self-training-epochs", "1", "--pseudo-label-confidence", "0", "--threads", str(threads), "--seed", "1",
               "--validation-rows", "10000", "--output", str(output), "--log-level", "Warning"] + MKL_SWITCH[mkl])
    with open(output / "accuracy.csv") as f:
        seconds = sum(float(row["seconds"]) for row in csv.DictReader(f) if row["self_training"] == "1")
    return seconds / STUDENT_STEPS


def pytorch_student(threads, data_dir):
    command = [PYTHON, "bench/pytorch/ssgan_reference.py", "--mnist-dir", data_dir, "--max-steps", "1", "--self-training-epochs", "1", "--pseudo-label-confidence", "0",
               "--threads", str(threads)]
    result = json.loads(run(command, env={**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)}))
    assert result["student_steps"] == STUDENT_STEPS, result
    return result["student_seconds_per_step"]


def dotnet_table(threads, mkl, epochs, scratch, tvae=False):
    """Seconds per step of `gan-samples table` (`--tvae`: TVAE's) on Adult (the loop's own clock per epoch, losses.csv), epochs after the first."""
    output = pathlib.Path(tempfile.mkdtemp(dir=scratch))
    run(APP + ["table", "--csv", "data/adult/adult-train.csv", "--epochs", str(epochs), "--rows", "10", "--threads", str(threads),
               "--output", str(output), "--log-level", "Warning"] + MKL_SWITCH[mkl] + (["--tvae"] if tvae else []))
    with open(output / "losses.csv") as f:
        seconds = [float(row["seconds"]) for row in csv.DictReader(f)][1:]
    return statistics.median(seconds) / ADULT_STEPS_PER_EPOCH


def pytorch_table(threads, epochs):
    command = [PYTHON, "bench/pytorch/ctgan_reference.py", "--csv", "data/adult/adult-train.csv", "--epochs", str(epochs), "--threads", str(threads)]
    result = json.loads(run(command, env={**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)}))
    return result["ms_per_step"] / 1000


def step_rows(label, reference, dotnet, pytorch, repeats):
    """
    A training step on both sides, alternating, at 1 and 2 threads (and .NET's automatic setting), then .NET at 1 and 2
    threads with the MKL switch: rows in ms per step; the ratio of the best default .NET setting and of the best with the
    switch to PyTorch's best; the best default .NET seconds per step and the best with the switch.
    """
    samples = {}
    runs = [("dotnet", 1, False), ("pytorch", 1, False), ("dotnet", 2, False), ("pytorch", 2, False), ("dotnet", 0, False),
            ("dotnet", 1, True), ("dotnet", 2, True)]
    for repeat in range(repeats):
        for side, threads, mkl in runs:
            log(f"{label}: {side}, {threads} thread(s){', MKL switch' if mkl else ''}, repeat {repeat + 1}/{repeats}")
            value = dotnet(threads, mkl) if side == "dotnet" else pytorch(threads)
            samples.setdefault((side, threads, mkl), []).append(value)
    medians = {key: statistics.median(values) for key, values in samples.items()}
    pytorch_best = min(v for (side, _, _), v in medians.items() if side == "pytorch")
    rows = []
    for (side, threads, mkl), median in sorted(medians.items(), key=lambda item: (item[0][0], item[0][2], item[0][1] or 99)):
        values = ", ".join(f"{v * 1000:.1f}" for v in samples[(side, threads, mkl)])
        who = ".NET (Microsoft.ML.Gan)" if side == "dotnet" else f"PyTorch ({reference})"
        ratio = f"{pytorch_best / median:.2f}x" if side == "dotnet" else ("best" if median == pytorch_best else f"{pytorch_best / median:.2f}x")
        setting = (str(threads) if threads else "automatic (Threads = 0)") + (", `--mkl-intel-kernels`" if mkl else "")
        rows.append(f"| {label} | {who} | {setting} | {median * 1000:.1f} ms (runs {values}) | {ratio} |")
    dotnet_best = min(v for (side, _, mkl), v in medians.items() if side == "dotnet" and not mkl)
    switched_best = min(v for (side, _, mkl), v in medians.items() if side == "dotnet" and mkl)
    return rows, (pytorch_best / dotnet_best, pytorch_best / switched_best), (dotnet_best, switched_best)


def dotnet_rows(label, dotnet, repeats):
    """
    A step with no PyTorch version beside it: .NET alone at 1 and 2 threads, alternating, in ms per step; and the best
    setting's seconds per step.
    """
    samples = {}
    for repeat in range(repeats):
        for threads in (1, 2):
            log(f"{label}: dotnet, {threads} thread(s), repeat {repeat + 1}/{repeats}")
            samples.setdefault(threads, []).append(dotnet(threads))
    medians = {threads: statistics.median(values) for threads, values in samples.items()}
    rows = [f"| {label} | .NET (Microsoft.ML.Gan) | {threads} | {median * 1000:.1f} ms (runs {', '.join(f'{v * 1000:.1f}' for v in samples[threads])}) | no PyTorch version |"
            for threads, median in sorted(medians.items())]
    return rows, min(medians.values())


def fit_group(name, architecture, steps, repeats, busy, scratch, data_dir):
    """Alternates .NET and PyTorch at 1 and 2 threads, then .NET's automatic setting (0); returns {(side, threads): [seconds per step, ...]}."""
    samples = {}
    torch_version = "?"
    for repeat in range(repeats):
        for threads in (1, 2, 0):
            for side in ("dotnet", "pytorch") if threads else ("dotnet",):
                log(f"{name}: {side}, {threads} thread(s), repeat {repeat + 1}/{repeats}")
                with Busy() if busy else contextlib.nullcontext():
                    if side == "dotnet":
                        value = dotnet_fit(architecture, threads, steps, scratch)
                    else:
                        value, torch_version = pytorch_fit(architecture, threads, steps, data_dir)
                samples.setdefault((side, threads), []).append(value)
    return samples, torch_version


def fit_rows(label, samples):
    """Markdown rows: s/epoch median (and the runs) per side and thread setting; ratio to PyTorch's best setting."""
    medians = {key: statistics.median(values) * STEPS_PER_EPOCH for key, values in samples.items()}
    pytorch_best = min(v for (side, _), v in medians.items() if side == "pytorch")
    rows = []
    for (side, threads), median in sorted(medians.items(), key=lambda item: (item[0][0], item[0][1] or 99)):
        runs = ", ".join(f"{v * STEPS_PER_EPOCH:.2f}" for v in samples[(side, threads)])
        who = ".NET (Microsoft.ML.Gan)" if side == "dotnet" else "PyTorch"
        ratio = f"{pytorch_best / median:.2f}x" if side == "dotnet" else ("best" if median == pytorch_best else f"{pytorch_best / median:.2f}x")
        setting = threads if threads else "automatic (Threads = 0)"
        rows.append(f"| {label} | {who} | {setting} | {median:.2f} s ({STEPS_PER_EPOCH / median:.0f} steps/s; runs {runs}) | {ratio} |")
    dotnet_best = min(v for (side, _), v in medians.items() if side == "dotnet")
    return rows, pytorch_best / dotnet_best


def rss(command):
    return json.loads(run([PYTHON, "bench/rss.py", "--"] + command))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default="docs/BENCHMARKS.md")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dcgan-steps", type=int, default=100)
    parser.add_argument("--rss-epochs", type=int, default=20)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--ssl-steps", type=int, default=300)
    parser.add_argument("--table-epochs", type=int, default=4)
    parser.add_argument("--skip", nargs="*", default=[], choices=["mlp", "mlp-busy", "dcgan", "dcgan-busy", "ssl", "ssl-cnn", "ssl-student", "table", "table-tvae", "scoring", "quality", "profile", "rss"])
    args = parser.parse_args()
    started = time.time()
    load_before = open("/proc/loadavg").read().split()[0]
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="gan-bench-"))
    sections = {}
    torch_version = "?"
    ratios = {}

    for key, label, architecture, steps, busy in [
        ("mlp", "Seed network (Mlp), s per MNIST epoch", "Mlp", 0, False),
        ("mlp-busy", "Seed network (Mlp), one core busy", "Mlp", 0, True),
        ("dcgan", f"DCGAN, s per epoch ({args.dcgan_steps} steps x 938)", "Dcgan", args.dcgan_steps, False),
        ("dcgan-busy", f"DCGAN, one core busy ({args.dcgan_steps} steps x 938)", "Dcgan", args.dcgan_steps, True),
    ]:
        if key in args.skip:
            continue
        samples, torch_version = fit_group(key, architecture, steps, args.repeats, busy, scratch, args.data_dir)
        sections[key], ratios[key] = fit_rows(label, samples)

    for key, network in (("ssl", "Mlp"), ("ssl-cnn", "Cnn")):   # the shipped network (the paper's), then the strided CNN
        if key not in args.skip:
            sections[key], ratios[key], _ = step_rows(
                f"Semi-supervised GAN ({network}), ms per step ({args.ssl_steps} steps, 100 labels)", "bench/pytorch/ssgan_reference.py",
                lambda threads, mkl, network=network: dotnet_semi_supervised(threads, mkl, args.ssl_steps, network, scratch),
                lambda threads, network=network: pytorch_semi_supervised(threads, args.ssl_steps, network, args.data_dir)[0], args.repeats)
    if "ssl-student" not in args.skip:   # the shipped recipe's self-training after the GAN: a fresh strided CNN on the pseudo-labelled images
        sections["ssl-student"], ratios["ssl-student"], _ = step_rows(
            f"Semi-supervised self-training (Cnn student), ms per step ({STUDENT_STEPS} steps of 100 images)", "bench/pytorch/ssgan_reference.py",
            lambda threads, mkl: dotnet_student(threads, mkl, scratch), lambda threads: pytorch_student(threads, args.data_dir), args.repeats)

    table_minutes = None
    if "table" not in args.skip:
        sections["table"], ratios["table"], table_best = step_rows(
            f"Table generator (CTGAN) on Adult, ms per step (epochs 2-{args.table_epochs} of {args.table_epochs})", "bench/pytorch/ctgan_reference.py",
            lambda threads, mkl: dotnet_table(threads, mkl, args.table_epochs, scratch), lambda threads: pytorch_table(threads, args.table_epochs), args.repeats)
        table_minutes = tuple(best * ADULT_STEPS_PER_EPOCH * 300 / 60 for best in table_best)
    tvae_minutes = None
    if "table-tvae" not in args.skip:   # the TVAE option (`--tvae`): its encoder and decoder step; no PyTorch version of it here
        sections["table-tvae"], tvae_best = dotnet_rows(
            f"Table generator (TVAE option) on Adult, ms per step (epochs 2-{args.table_epochs} of {args.table_epochs})",
            lambda threads: dotnet_table(threads, False, args.table_epochs, scratch, tvae=True), args.repeats)
        tvae_minutes = tvae_best * ADULT_STEPS_PER_EPOCH * 300 / 60

    scoring = ""
    if "scoring" not in args.skip:
        log("scoring rates")
        runs = [("Mlp", APP + ["bench", "--epochs", "1", "--threads", "1", "--rows", "100000"])]
        if "Dcgan" in MODELS:
            # A DCGAN epoch takes minutes; its scoring rates do not depend on training, so the Fit measurement's model is scored.
            runs.append(("Dcgan", APP + ["bench", "--model", str(MODELS["Dcgan"]), "--architecture", "Dcgan", "--rows", "20000"]))
        for architecture, command in runs:
            table = scratch / f"scoring-{architecture}.md"
            run(command + ["--markdown", str(table)])
            scoring += "\n".join(line for line in table.read_text().splitlines()[2:] if " Fit, " not in line) + "\n"

    quality = ""
    if "quality" not in args.skip:
        log("time to quality")
        table = scratch / "quality.md"
        run(APP + ["bench", "--time-to-quality", "--markdown", str(table)])
        quality = "\n".join(table.read_text().splitlines()[2:]) + "\n"
        log("time to quality with the EMA warm-up (a lever, not the recipe)")
        run(APP + ["bench", "--time-to-quality", "--ema-warmup", "--markdown", str(table)])
        quality += "\n".join(table.read_text().splitlines()[2:]) + "\n"

    profiles = ""
    if "profile" not in args.skip:
        log("profiles")
        for extra in (["--architecture", "Mlp", "--epochs", "3"], ["--architecture", "Dcgan", "--max-steps", "60", "--delay-ms", "8000"]):
            profiles += run([PYTHON, "bench/profile.py", "--threads", "1"] + extra) + "\n"
        log("the semi-supervised step's matrix products in MKL (default and switched) and OpenBLAS")
        profiles += run([PYTHON, "bench/profile.py", "--threads", "1", "--semi-supervised"]) + "\n"
        for threads in (1, 2):
            profiles += run([PYTHON, "bench/mkl_sgemm.py", "--threads", str(threads)]) + "\n"
        log("the table generator's step (CTGAN on Adult), 1 and 2 threads")
        for threads in (1, 2):
            profiles += run([PYTHON, "bench/profile.py", "--table", "--threads", str(threads)]) + "\n"

    memory = []
    if "rss" not in args.skip:
        log(f"RSS of a {args.rss_epochs}-epoch README job")
        seed = rss(APP + ["train", "--epochs", str(args.rss_epochs), "--output", str(scratch / "rss-seed"), "--log-level", "Information"])
        series = ", ".join(f"{e['epoch']}: {e['rss_mib']:.0f}" for e in seed["epochs"])
        memory.append(f"| README job (`train --epochs {args.rss_epochs}`: seed network, FID/KID every epoch), 1 thread | "
                      f"RSS at the end of each epoch, MiB: {series} | spread after epoch 2: {seed['rss_spread_after_epoch_2_percent']:.1f} %; peak {seed['peak_mib']:.0f} MiB |")
        log("RSS of a DCGAN run")
        dcgan = rss(APP + ["train", "--architecture", "Dcgan", "--max-steps", "300", "--eval-every", "0", "--threads", "2",
                           "--output", str(scratch / "rss-dcgan"), "--log-level", "Information"])
        memory.append(f"| DCGAN (`train --architecture Dcgan --max-steps 300 --threads 2`) | RSS at the end: "
                      f"{dcgan['epochs'][-1]['rss_mib']:.0f} MiB | peak {dcgan['peak_mib']:.0f} MiB |")

    minutes = (time.time() - started) / 60
    shutil.rmtree(scratch, ignore_errors=True)
    write(args, sections, ratios, scoring, quality, profiles, memory, torch_version, load_before, minutes, table_minutes, tvae_minutes)


def write(args, sections, ratios, scoring, quality, profiles, memory, torch_version, load_before, minutes, table_minutes, tvae_minutes):
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory_total = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")) / 1048576
    os_name = next((line.split("=", 1)[1].strip().strip('"') for line in open("/etc/os-release") if line.startswith("PRETTY_NAME")), "?")
    sdk = run(["dotnet", "--version"]).strip()
    openblas = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libopenblas0-pthread"], capture_output=True, text=True).stdout or "?"
    fit = [row for key in ("mlp", "mlp-busy", "dcgan", "dcgan-busy", "ssl", "ssl-cnn", "ssl-student", "table", "table-tvae") for row in sections.get(key, [])]
    table_note = "" if table_minutes is None else (
        f" At the best .NET setting, CTGAN's default budget (300 epochs of 45 steps on the 22,561 Adult rows) takes about"
        f" {table_minutes[0]:.1f} minutes of training ({table_minutes[1]:.1f} with `--mkl-intel-kernels`); the issue's goal is 5.")
    if tvae_minutes is not None:
        table_note += (f" The TVAE option's step (an encoder and decoder pass, no critic) has no PyTorch version here; at its best"
                       f" setting its 300 epochs take about {tvae_minutes:.1f} minutes.")
    headline = "; ".join(f"{key}: {ratio:.2f}x" if isinstance(ratio, float) else f"{key}: {ratio[0]:.2f}x ({ratio[1]:.2f}x with `--mkl-intel-kernels`)"
                         for key, ratio in ratios.items())
    text = f"""# Benchmarks

Produced by `bench/run.sh` (`./build.sh bench`) on {datetime.date.today().isoformat()} in {minutes:.0f} minutes; every number
below comes from that one invocation (1-minute load average before it: {load_before}). Re-run it to refresh this file;
numbers on a shared 2-core VM move by 10-20 % between runs, which is why each side runs {args.repeats} times, in turn.

- Machine: {cpu}, {os.cpu_count()} cores, {memory_total:.0f} GiB RAM, {os_name}
- .NET SDK {sdk}; Microsoft.ML 6.0.0; TorchSharp 0.107.0 with libtorch 2.10.0 (CPU; oneDNN capped at AVX2, see
  docs/DESIGN-DECISIONS.md); ONNX Runtime 1.32.0
- PyTorch reference: Debian python3-torch {torch_version} with libopenblas0-pthread {openblas} (bench/pytorch/gan_reference.py,
  bench/pytorch/ssgan_reference.py for the semi-supervised GAN, bench/pytorch/ctgan_reference.py for the table generator,
  with Debian's python3-sklearn for its Gaussian mixtures)
- Threads: the threads column, `torch.set_num_threads` on both sides (and `OMP_NUM_THREADS` for PyTorch). "One core busy":
  a Python busy loop runs alongside.
- `--mkl-intel-kernels` (`GanRuntime.UseMklIntelKernels`, off by default): libtorch's Intel MKL, which does TorchSharp's
  matrix products, runs its Intel kernels on this AMD processor instead of its slower generic ones (other rounding, so
  other bits than the default; docs/DESIGN-DECISIONS.md). PyTorch's Debian build multiplies with OpenBLAS, which has no
  such switch. The semi-supervised and table rows show .NET with and without it; the headline gives both.
- Training time is the training loop's own clock on both sides (no data loading, no export): .NET from
  `gan-samples train --eval-every 0 ... --output DIR` (losses.csv), PyTorch from the script's JSON.
- Memory allocator: `gan-samples` keeps freed native memory in glibc's heap (`mallopt`: trim threshold 2 GiB, top pad
  256 MiB; src/Gan.Samples/NativeHeap.cs), which spares the DCGAN steps most of their page faults; the PyTorch reference
  runs with glibc's defaults, as `python3` starts.

## Training: .NET against PyTorch

Medians of {args.repeats} alternating runs; the ratio is PyTorch's best thread setting (in the same conditions) divided by
this row, so above 1 means .NET is faster. Best .NET setting against best PyTorch setting: {headline}.

The semi-supervised GAN rows are milliseconds per training step (its step: one classifier pass over 400 rows and one over
100 weakly shifted rows, one or two generator steps of 200 rows), 300 steps from the start on 50,000 images, for the
shipped classifier (Mlp, the Improved GAN paper's) and the strided CNN option (Cnn). The table
generator rows are milliseconds per step of CTGAN's recipe on Adult (a critic step with its gradient penalty and a generator
step, batch 500), the median of the epochs after the first.{table_note}

| measurement | side | threads | s per epoch (median) | PyTorch best / this |
|---|---|---|---|---|
{chr(10).join(fit)}

## Scoring

| measurement | setting | result |
|---|---|---|
{scoring}
## Time to quality

The second row is a lever measured against the recipe, not the recipe: the EMA warm-up (`--ema-warmup`).

| measurement | setting | result |
|---|---|---|
{quality}
## Where a training step's time goes

Linux perf samples of a 1-thread training run (sampling starts after start-up), summed by kind of work. Then the
semi-supervised step's matrix products called directly (`bench/mkl_sgemm.py`): libtorch's MKL as TorchSharp runs it, the
same MKL with `--mkl-intel-kernels`'s switch, and the OpenBLAS the PyTorch reference uses. Last, the table generator's
step (CTGAN on Adult) on 1 and 2 threads, sampled in a 40 s window of its training: on 2 threads, the samples of
OpenMP's threads waiting for work are what does not split between the cores.

{profiles}
## Memory

| run | series | result |
|---|---|---|
{chr(10).join(memory)}
"""
    pathlib.Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
