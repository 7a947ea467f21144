#!/usr/bin/env bash
# Issue 24's time goal: how long the semi-supervised classifier trains before MNIST test accuracy first reaches 98.0 %
# at 100 labels, on 2 cores. One run at a time (nothing else of ours on the machine), --threads 2, the library's
# defaults with --propagate-labels spelled out; labelled subsets 1-3, training seed 1, as docs/SEMI-SUPERVISED.md's
# test runs. Writes docs/SEMI-SUPERVISED-TIME.md. About 55 minutes.
#   bench/semi-supervised-time.sh
#   APP_DIR=dir bench/semi-supervised-time.sh    # use a gan-samples build in dir instead of building src/Gan.Samples
#   REPORT_ONLY=1 bench/semi-supervised-time.sh  # the report from the runs kept, starting none
# Finished runs are kept in artifacts/semi-supervised-time and skipped; delete that folder to start over.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/semi-supervised-time
if [ -z "${APP_DIR:-}" ] && [ -z "${REPORT_ONLY:-}" ]; then
  dotnet build src/Gan.Samples -c Release --nologo -v quiet
  APP_DIR=src/Gan.Samples/bin/Release/net10.0
fi
mkdir -p "$out"
flags="--threads 2 --propagate-labels"

if [ -z "${REPORT_ONLY:-}" ]; then
  app=(dotnet "${APP_DIR}/gan-samples.dll")
  for s in 1 2 3; do
    dir="$out/subset-$s"
    if [ -f "$dir/done" ]; then echo "kept: subset-$s" >&2; continue; fi
    rm -rf "$dir"; mkdir -p "$dir"
    command="semi-supervised --labels-per-class 10 --label-seed $s $flags"
    echo "$(date +%H:%M:%S) subset-$s: $command" >&2
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "${app[@]}" $command --output "$dir" >"$dir/stdout.log" 2>"$dir/stderr.log"
    echo "$start $(date +%s.%N)" >"$dir/seconds"   # its start and end
    echo "$command" >"$dir/done"
  done
fi

python3 - "$out" <<'PY'
import pathlib, re, statistics, sys
sys.path.insert(0, "bench")
from stats import produced_by
out = pathlib.Path(sys.argv[1])
cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
runs = []
for s in (1, 2, 3):
    d = out / f"subset-{s}"
    if not (d / "done").exists():
        continue
    log = (d / "stdout.log").read_text()
    # The CLI's progress lines: "Epoch 21/30 (self-training): test accuracy 98.00 % (...; 11.2 min)", the training clock.
    epochs = [(int(e), float(a), float(m)) for e, a, m in
              re.findall(r"^Epoch (\d+)/\d+[^:]*: test accuracy ([\d.]+) % \(.*?; ([\d.]+) min\)", log, re.M)]
    first = next(((e, m) for e, a, m in epochs if a >= 98.0), None)
    final = re.search(r"test accuracy ([\d.]+) % \((\d+) errors of ([\d,]+)\)", log)
    graph = re.search(r"most similar: ([\d.]+) s", log)
    start, end = map(float, (d / "seconds").read_text().split())   # the command's start and end, seconds since 1970
    runs.append({"subset": s, "command": (d / "done").read_text().strip(), "first": first, "accuracy": float(final[1]),
                 "errors": int(final[2]), "minutes": epochs[-1][2], "graph": float(graph[1]) if graph else None,
                 "wall": (end - start) / 60})
reached = [r["first"][1] for r in runs if r["first"]]
lines = [
    "# Time to 98 % at 100 labels (issue 24's time goal)", "",
    f"{produced_by('bench/semi-supervised-time.sh')}; every number below comes from the runs it made",
    f"(kept in `{out}`, one folder per run with its command, log and `accuracy.csv`).", "",
    f"- Machine: {cpu}, 2 cores; .NET SDK 10.0.401; TorchSharp 0.107.0 (libtorch 2.10.0, CPU); `--threads 2`; one run at a",
    "  time, with no other training or test run on the machine.",
    "- Every run: 100 labels (10 per digit, `--label-seed` = the subset), training seed 1, the library's defaults (10 GAN",
    "  epochs of 600 steps, 20 epochs of self-training) with `--propagate-labels`; accuracy on the 10,000 MNIST test images",
    "  after every epoch (the CLI's progress line, which this report reads). The test split chooses nothing here: the",
    "  settings were chosen on validation (docs/SEMI-SUPERVISED*.md).",
    "- Minutes to 98.0 %: the training clock at the end of the first epoch whose test accuracy is at least 98.0 %, scoring",
    "  included; it counts the GAN's epochs, the label propagation graph and the student's epochs up to that one. The whole",
    "  command: from its start (reading MNIST) to its end (the zip, the charts).", "",
    "| labelled subset | minutes to 98.0 % (epoch) | test accuracy at the end (%) | errors of 10,000 | training clock at the end (minutes) | graph (s) | whole command (minutes) |",
    "|---|---|---|---|---|---|---|",
]
for r in runs:
    first = f"{r['first'][1]:.1f} ({r['first'][0]})" if r["first"] else "not reached"
    graph = f"{r['graph']:.0f}" if r["graph"] is not None else "-"
    lines.append(f"| {r['subset']} | {first} | {r['accuracy']:.2f} | {r['errors']} | {r['minutes']:.1f} | {graph} | {r['wall']:.1f} |")
lines.append("")
if runs:
    verdict = "met" if len(reached) == len(runs) and max(reached) <= 15 else "not met"
    lines += [f"Goal: ≤ 15 minutes of training to 98.0 % at 100 labels on 2 cores: **{verdict}** "
              + (f"({len(reached)} of {len(runs)} runs reached 98.0 %, after {', '.join(f'{m:.1f}' for m in reached)} minutes)." if reached
                 else "(no run reached 98.0 %)."),
              f"Test accuracy at the end: {statistics.mean(r['accuracy'] for r in runs):.2f} %"
              + (f" ± {statistics.stdev(r['accuracy'] for r in runs):.2f} (mean ± sd of {len(runs)} labelled subsets)." if len(runs) > 1 else "."),
              "The same commands on 1 thread, two at a time, are docs/SEMI-SUPERVISED-PROPAGATION.md's test runs: the thread count",
              "changes the order of the sums, so a seed trains other bits, and the two sets of runs differ run by run by about as",
              "much as the labelled subsets do.",
              f"The accuracy goal (≥ 98.5 %, mean of three labelled subsets) by these runs: **{'met' if len(runs) == 3 and statistics.mean(r['accuracy'] for r in runs) >= 98.5 else 'not met'}**;"
              " the library's defaults (without the option) are judged in docs/SEMI-SUPERVISED.md.", ""]
lines += ["## Commands", ""] + [f"- `subset-{r['subset']}`: `{r['command']}`" for r in runs]
pathlib.Path("docs/SEMI-SUPERVISED-TIME.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
