#!/usr/bin/env bash
# Issue 24's goal at 1,000 labels (≥ 99.2 % MNIST test accuracy, mean of three labelled subsets): 100 labels per digit on
# labelled subsets 1-3, training seed 1, as docs/SEMI-SUPERVISED.md's test runs, with the two opt-in options chosen at
# 100 labels on validation (`--propagate-labels --self-training-rounds 2`, docs/SEMI-SUPERVISED-PROPAGATION-ROUNDS.md),
# then with the library's defaults on the same subsets. Nothing is chosen here: the options and their settings were
# fixed before the first of these runs. `--propagate-labels` alone is read from the options' runs at the end of their
# first round, which a run of its own on subset 1 checks row for row (added after the first runs, see the report).
# Writes docs/SEMI-SUPERVISED-1000-LABELS.md. Two runs at a time, 1 thread each: about 30 minutes a run with the
# options, 25 without, so about 2 hours for all seven.
#   bench/semi-supervised-1000-labels.sh
#   APP_DIR=dir bench/semi-supervised-1000-labels.sh    # use a gan-samples build in dir instead of building src/Gan.Samples
#   REPORT_ONLY=1 bench/semi-supervised-1000-labels.sh  # the report from the runs kept, starting none
# Finished runs are kept in artifacts/semi-supervised-1000-labels and skipped; delete that folder to start over.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/semi-supervised-1000-labels
if [ -z "${APP_DIR:-}" ] && [ -z "${REPORT_ONLY:-}" ]; then
  dotnet build src/Gan.Samples -c Release --nologo -v quiet
  APP_DIR=src/Gan.Samples/bin/Release/net10.0
fi
mkdir -p "$out"
# name | flags added to the shared command | its subsets when not 1-3. The options first: they are the goal's runs, the
# defaults the comparison.
rows="options|--propagate-labels --self-training-rounds 2|
defaults||
propagate|--propagate-labels|1"

if [ -z "${REPORT_ONLY:-}" ]; then
  app=(dotnet "${APP_DIR}/gan-samples.dll")
  # shellcheck source=bench/kept-runs.sh
  source bench/kept-runs.sh
  jobs=()
  while IFS='|' read -r name flags only; do
    for s in ${only:-1 2 3}; do
      jobs+=("$name-subset-$s|semi-supervised --epochs 10 --threads 1 --labels-per-class 100 --label-seed $s${flags:+ $flags}")
    done
  done <<<"$rows"
  run_pool "${jobs[@]}"
fi

python3 - "$out" "$rows" <<'PY'
import csv, pathlib, statistics, sys
sys.path.insert(0, "bench")
from stats import errors_per_class, final_result, interval, produced_by
out = pathlib.Path(sys.argv[1])
rows = {name: (flags, [int(x) for x in only.split()] or [1, 2, 3]) for name, flags, only in (l.split("|") for l in sys.argv[2].splitlines())}
cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))

def run(name, subset):
    d = out / f"{name}-subset-{subset}"
    if not (d / "done").exists():
        return None
    log = (d / "stdout.log").read_text()
    return {"command": (d / "done").read_text().strip(), **final_result(log), "per_class": errors_per_class(log),
            "epochs": list(csv.DictReader(open(d / "accuracy.csv")))}

def first_round(r):
    """The options' run at the end of its first round: the GAN's epochs, then the first of its two students' (equal) epochs."""
    if r is None:
        return None
    gan = sum(1 for e in r["epochs"] if e["self_training"] == "0")
    accuracy = 100 * float(r["epochs"][gan + (len(r["epochs"]) - gan) // 2 - 1]["accuracy"])
    return {"accuracy": accuracy, "errors": round((100 - accuracy) * 100)}

def same_rows(a, b):
    """Every column but the epoch's seconds, row for row over the shorter run."""
    strip = lambda e: {k: v for k, v in e.items() if k != "seconds"}
    return len(a) <= len(b) and all(strip(x) == strip(y) for x, y in zip(a, b))

runs = {name: {s: run(name, s) for s in subsets} for name, (_, subsets) in rows.items()}
# The table's rows: the defaults, --propagate-labels (the options' first round), the options.
table = [("the library's defaults", runs["defaults"]),
         ("`--propagate-labels` (the options' runs at the end of their first round)", {s: first_round(r) for s, r in runs["options"].items()}),
         (f"`{rows['options'][0]}`", runs["options"])]
lines = [
    "# 1,000 labels (issue 24's goal: 99.2 %)", "",
    f"{produced_by('bench/semi-supervised-1000-labels.sh')}; every number below comes from the runs it made",
    f"(kept in `{out}`, one folder per run with its command, log and `accuracy.csv`).", "",
    f"- Machine: {cpu}, 2 cores; .NET SDK 10.0.401; TorchSharp 0.107.0 (libtorch 2.10.0, CPU); two runs at a time, 1",
    "  thread each. Training minutes: the loop's own clock with another run sharing the machine; not a speed measurement.",
    "- Every run: 1,000 labels (100 per digit, `--label-seed` = the subset), the other 59,000 MNIST train images",
    "  unlabelled, training seed 1, 10 GAN epochs and 20 epochs of self-training a student (two students with",
    "  `--self-training-rounds 2`); accuracy on the 10,000 MNIST test images.",
    "- Nothing is chosen here. The options are the two chosen at 100 labels on validation (the last 10,000 train images",
    "  held out; docs/SEMI-SUPERVISED-PROPAGATION.md, docs/SEMI-SUPERVISED-PROPAGATION-ROUNDS.md), run here unchanged, as",
    "  planned before the first of these runs; the library's defaults on the same subsets are the comparison.",
]
own = runs["propagate"][1]
if own and runs["options"][1]:
    verdict = "matches them row for row" if same_rows(own["epochs"], runs["options"][1]["epochs"]) else "does NOT match them"
    lines += ["- `--propagate-labels` alone is the options' runs at the end of their first round (epoch 30): the second round",
              "  starts after it and changes nothing before. Its own run on subset 1 (a check added after the first two runs had",
              f"  shown the second round ending below the first) {verdict} through epoch 30 (every `accuracy.csv`",
              f"  column but the seconds) and ends at {own['accuracy']:.2f} %. It ran beside the pool's two runs, three on the two",
              "  cores for about 35 minutes, so the training minutes of the runs it met are longer than the others'."]
lines += ["", "| settings | subset 1 | subset 2 | subset 3 | mean ± sd | paired difference to the defaults (points, 95 %) | goal (≥ 99.2 %) |",
          "|---|---|---|---|---|---|---|"]
for label, r in table:
    made = {s: x for s, x in r.items() if x}
    if not made:
        lines.append(f"| {label} | not run | not run | not run | | | |")
        continue
    acc = [x["accuracy"] for x in made.values()]
    cells = " | ".join(f"{x['accuracy']:.2f} ({x['errors']})" if x else "not run" for x in r.values())
    spread = f" ± {statistics.stdev(acc):.2f}" if len(acc) > 1 else f" ({len(acc)} subset)"
    both = [s for s in made if runs["defaults"][s]]
    paired = ""
    if r is not runs["defaults"] and len(both) > 1:
        d = interval([made[s]["accuracy"] - runs["defaults"][s]["accuracy"] for s in both])
        paired = f"{d[0]:+.2f} [{d[1]:+.2f}, {d[2]:+.2f}]" + ("" if len(both) == 3 else f" ({len(both)} subsets)")
    goal = ("met" if statistics.mean(acc) >= 99.2 else "not met") if len(acc) == 3 else ""
    lines.append(f"| {label} | {cells} | **{statistics.mean(acc):.2f}{spread}** | {paired} | {goal} |")
lines += ["", "Test accuracy, % (in brackets the errors of 10,000).", "",
          "What the runs show (written after them): at 1,000 labels neither option helps. The graph is level with the",
          "defaults: it is for a style the labelled images miss (crossed 7s at 100 labels), and with 100 labelled 7s per",
          "subset the defaults make 10 errors on 7s on each: nothing of that kind is left to fix. The second round costs on every",
          "subset, its interval below 0, most of it on 4s and 9s (on subset 1, 12 and 26 errors after the first round, 27",
          "and 35 after the second); why was not measured. So the second round is for few labels, where it was chosen,",
          "and the goal is not met by any setting: subset 2 alone reaches 99.2 %, with the defaults.", "",
          "| run | training minutes | " + " | ".join(f"errors on {c}s" for c in range(10)) + " |", "|---|---|" + "---|" * 10]
for name in rows:
    for s, r in runs[name].items():
        if r:
            lines.append(f"| {name}, subset {s} | {r['minutes']:.1f} | " + " | ".join(str(r["per_class"].get(str(c), 0)) for c in range(10)) + " |")
lines += ["", "## Commands", ""]
for name in rows:
    lines += [f"- `{name}-subset-{s}`: `{r['command']}`" for s, r in runs[name].items() if r]
pathlib.Path("docs/SEMI-SUPERVISED-1000-LABELS.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
