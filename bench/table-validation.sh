#!/usr/bin/env bash
# Settings of the table generator (issue 23) chosen on validation only: Adult's training rows split once more (the first
# 17,561 rows fit, the last 5,000 validate; adult-train.csv is already a seeded permutation), and `table-study` run per
# setting on that split with seeds 1-3 (1-5 for CTGAN and TVAE), so the test rows (adult-test.csv) choose nothing. Compares machine-learning
# efficacy (synthetic / real F1, mean of FastTree, LightGbm and SdcaLogisticRegression) and quality, paired by seed.
# Writes docs/TABULAR-VALIDATION.md.
#   bench/table-validation.sh                # about 30 minutes on 2 cores: two settings at a time, 1 thread each
#   APP_DIR=dir bench/table-validation.sh    # use a gan-samples build in dir instead of building src/Gan.Samples
# Finished seeds are kept in artifacts/table-validation/<setting>/runs and skipped; delete that folder to start over.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/table-validation
if [ -z "${APP_DIR:-}" ]; then
  dotnet build src/Gan.Samples -c Release --nologo -v quiet
  APP_DIR=src/Gan.Samples/bin/Release/net10.0
fi
app=(dotnet "$APP_DIR/gan-samples.dll")
mkdir -p "$out" docs
train=data/adult/adult-train.csv
if [ ! -f "$out/validation.csv" ]; then
  head -n 17562 "$train" >"$out/fit.csv.tmp" && mv "$out/fit.csv.tmp" "$out/fit.csv"
  { head -n 1 "$train"; tail -n +17563 "$train"; } >"$out/validation.csv.tmp" && mv "$out/validation.csv.tmp" "$out/validation.csv"
fi

# name | seeds | table-study options besides the split, the seeds and the output | the setting it is judged against (empty:
# CTGAN's defaults, the first row), pairing seed by seed. TVAE's first three seeds were run first; seeds 4 and 5 were added
# for it and CTGAN after them, because CTGAN's seed-to-seed spread left three pairs too few for the rule. TVAE's budget
# (150 and 600 epochs on seeds 1-3, then 75 and seeds 4-5 of 150 after seeing those) is judged against TVAE at 300. Those
# TVAE rows ran with CTGAN's residual generator as the decoder (the first design); TVAE's own decoder is judged against it.
settings=$(cat <<'SETTINGS'
ctgan|1 2 3 4 5||
tvae-residual|1 2 3 4 5|--tvae --tvae-residual-decoder|
tvae-epochs-75|1 2 3 4 5|--tvae --tvae-residual-decoder --epochs 75|tvae-residual
tvae-epochs-150|1 2 3 4 5|--tvae --tvae-residual-decoder --epochs 150|tvae-residual
tvae-epochs-600|1 2 3|--tvae --tvae-residual-decoder --epochs 600|tvae-residual
ema-0.999|1 2 3|--ema 0.999 --ema-warmup|
tvae-plain-decoder|1 2 3 4 5|--tvae|tvae-residual
SETTINGS
)

study() {
  local name=$1 seeds=$2 flags=$3
  echo "$(date +%H:%M:%S) table-study $name: seeds $seeds $flags" >&2
  # shellcheck disable=SC2086
  "${app[@]}" table-study --train "$out/fit.csv" --test "$out/validation.csv" --seeds $seeds $flags \
    --output "$out/$name" --report "$out/$name/tabular.md" >"$out/$name.log" 2>&1
  echo "table-study --seeds $seeds${flags:+ $flags}" >"$out/$name/command"
}

mapfile -t lines <<<"$settings"
for ((i = 0; i < ${#lines[@]}; i += 2)); do
  IFS='|' read -r name seeds flags _ <<<"${lines[i]}"
  study "$name" "$seeds" "$flags" &
  if ((i + 1 < ${#lines[@]})); then
    IFS='|' read -r name seeds flags _ <<<"${lines[i + 1]}"
    study "$name" "$seeds" "$flags" &
  fi
  wait
done

python3 - "$out" "$settings" <<'PY'
import json, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])
settings = [(line.split("|") + [""] * 3)[:4] for line in sys.argv[2].splitlines() if line.strip()]
names = [name for name, _, _, _ in settings]
against = {name: other or names[0] for name, _, _, other in settings}
# Rows pair seed by seed: a setting with fewer seeds than CTGAN's pairs with CTGAN's runs of its seeds.
sys.path.insert(0, "bench")
from stats import interval, produced_by

def runs(name):
    files = sorted((out / name / "runs").glob("seed-*.json"), key=lambda f: int(f.stem.split("-")[1]))
    return [json.loads(f.read_text()) for f in files]

def ratio(run):
    return statistics.mean(t["Synthetic"] / t["Real"] for t in run["Trainers"])

data = {n: runs(n) for n in names}
base = data[names[0]]
lines = [
    "# Table generator settings chosen on validation (Adult)",
    "",
    f"{produced_by('bench/table-validation.sh')} (2 cores, 1 generator thread per run, two runs at a time).",
    "Every number comes from the `table-study` runs it kept in `artifacts/table-validation`.",
    "",
    "- Split: `adult-train.csv`'s first 17,561 rows fit the generator (and the real-row classifiers), its last 5,000 rows are the",
    "  held-out rows the F1 is measured on. `adult-test.csv`, the rows docs/TABULAR.md reports, is not read.",
    "- Efficacy: synthetic / real F1 of the positive class, the mean over FastTree, LightGbm and SdcaLogisticRegression (docs/TABULAR.md's measure).",
    "- A setting replaces CTGAN's defaults only when its paired efficacy difference over the seeds has a 95 % interval above 0;",
    "  quality (SDMetrics' score, docs/TABULAR.md) is reported beside it. Runs pair by seed. With an EMA they pair exactly: they",
    "  take the same training steps (an EMA only watches them), so a difference is the setting's alone. TVAE is another model:",
    "  its runs share with CTGAN's of the same seed the classifiers' seed and the seed of the generated rows, not the training.",
    "- Seeds: 1-3 for every setting; CTGAN's and TVAE's seeds 4 and 5 were added after their first three, because CTGAN's",
    "  spread from seed to seed left three pairs too few for the rule.",
    "- TVAE's budget (rows judged against TVAE at 300 epochs, seed by seed): 150 and 600 epochs were run on seeds 1-3 first;",
    "  after seeing them, 75 epochs and seeds 4-5 of 150 were added.",
    "- TVAE's rows before the last ran with CTGAN's residual generator as the decoder (`--tvae-residual-decoder` now), the first",
    "  design; the last row is TVAE's own decoder (Linear → ReLU), judged against it. Its interval's lower end touches 0, so by",
    "  the rule it does not replace a default; it is the default because it is TVAE's published network, from which the",
    "  residual decoder departed untested, and this measurement gives no reason to keep the departure (docs/DESIGN-DECISIONS.md).",
    "- Training minutes: the loop's own clock, with other trainings beside these runs; not a speed measurement (docs/BENCHMARKS.md has those).",
    "",
    "| setting | efficacy per seed | mean | paired difference to CTGAN's defaults, or to the setting named [95 %] | quality (mean) | quality: paired difference [95 %] | training minutes (mean) |",
    "|---|---|---|---|---|---|---|",
]
for n in names:
    r = data[n]
    per = ", ".join(f"{ratio(x):.3f}" for x in r)
    mean = statistics.mean(ratio(x) for x in r)
    quality = statistics.mean(x["Quality"] for x in r)
    minutes = statistics.mean(x["TrainingSeconds"] for x in r) / 60
    if n == names[0]:
        diff = qdiff = ""
    else:
        # Against CTGAN's defaults unless the row names another setting (then it replaces that setting's choice).
        other = {x["Seed"]: x for x in data[against[n]]}
        than = "" if against[n] == names[0] else f" (against {against[n]})"
        m, lo, hi = interval([ratio(a) - ratio(other[a["Seed"]]) for a in r])
        diff = f"{m:+.3f} [{lo:+.3f}, {hi:+.3f}]" + (": replaces" if lo > 0 else ": does not replace") + (than or " the defaults")
        m, lo, hi = interval([a["Quality"] - other[a["Seed"]]["Quality"] for a in r])
        qdiff = f"{m:+.4f} [{lo:+.4f}, {hi:+.4f}]" + than
    command = (out / n / "command").read_text().strip()
    lines.append(f"| {n} (`{command}`) | {per} | **{mean:.3f}** | {diff} | {quality:.4f} | {qdiff} | {minutes:.1f} |")
lines += ["", "Rows judged against another setting, against CTGAN's defaults as well (efficacy; quality), paired by seed [95 %]:", ""]
for n in names:
    if against[n] != names[0]:
        other = {x["Seed"]: x for x in base}
        m, lo, hi = interval([ratio(a) - ratio(other[a["Seed"]]) for a in data[n]])
        qm, qlo, qhi = interval([a["Quality"] - other[a["Seed"]]["Quality"] for a in data[n]])
        lines.append(f"- {n}: {m:+.3f} [{lo:+.3f}, {hi:+.3f}]; quality {qm:+.4f} [{qlo:+.4f}, {qhi:+.4f}]")
lines += ["", "Per trainer (mean F1 over seeds, real → synthetic):", ""]
for n in names:
    parts = []
    for t in range(len(base[0]["Trainers"])):
        name = base[0]["Trainers"][t]["Trainer"]
        real = statistics.mean(x["Trainers"][t]["Real"] for x in data[n])
        syn = statistics.mean(x["Trainers"][t]["Synthetic"] for x in data[n])
        parts.append(f"{name} {real:.4f} → {syn:.4f}")
    lines.append(f"- {n}: " + "; ".join(parts))
lines += ["", "Upsampling the positive class to the negative class's count (docs/TABULAR.md's third measure), F1 of rows generated for",
          "label 1 minus F1 of repeated real positive rows, paired by seed [95 %]:", ""]
for n in names:
    parts = []
    for t in range(len(base[0]["Trainers"])):
        m, lo, hi = interval([x["Trainers"][t]["Generated"] - x["Trainers"][t]["Duplicated"] for x in data[n]])
        parts.append(f"{base[0]['Trainers'][t]['Trainer']} {m:+.4f} [{lo:+.4f}, {hi:+.4f}]")
    lines.append(f"- {n}: " + "; ".join(parts))
pathlib.Path("docs/TABULAR-VALIDATION.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
