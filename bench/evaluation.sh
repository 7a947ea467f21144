#!/usr/bin/env bash
# Reference numbers for evaluation; writes docs/EVALUATION.md. Every number in that file comes from the
# commands below (each is printed above its output). Takes about 45 minutes on a 2-core machine, 20 of them
# for the synthetic-data recipe (the last section).
#   bench/evaluation.sh          # every section
#   bench/evaluation.sh recipe   # only the recipe section, replacing the one at the end of docs/EVALUATION.md
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Gan.Samples -c Release --nologo -v quiet
app=(dotnet src/Gan.Samples/bin/Release/net10.0/gan-samples.dll)
"${app[@]}" mnist --output artifacts/evaluation >/dev/null
data_dir="${GAN_MNIST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/Microsoft.ML.Gan/mnist}"
out=artifacts/evaluation
output=docs/EVALUATION.md
# A command and its output, without "Wrote" lines and log lines (the CLI logs to stdout).
section() { printf '\n```\n$ %s\n' "$*" >> "$output.tmp"; "$@" 2>/dev/null | grep -v -E '^Wrote|^[0-9:]+ (info|dbug|trce): ' >> "$output.tmp"; printf '```\n' >> "$output.tmp"; }
recipe_heading='## The synthetic-data recipe'
recipe() {
  {
    printf '\n%s: `train --synthetic-data-recipe`, %s epochs, 2 threads\n\n' "$recipe_heading" "$(grep -o 'SyntheticDataEpochs = [0-9]*' src/Microsoft.ML.Gan/Options/GanOptions.cs | grep -o '[0-9]*$')"
    echo "The README's recommendation for labelled synthetic training data (\`GanOptions.SyntheticDataRecipe()\`): a conditional"
    echo "DCGAN of width 32 with an EMA generator (0.999) and the mode-seeking term (weight 1), trained on all 60,000 MNIST train"
    echo "rows with 2 TorchSharp threads (run $(date -u +%Y-%m-%d); 1-minute load average before it: $(cut -d' ' -f1 /proc/loadavg)). \"s per epoch\" is the training time; each lever"
    echo "is measured in [COVERAGE.md](COVERAGE.md). CNN CAS with the shipped LeNet (16/32 channels), then with the wider one (32/64)."
  } >> "$output.tmp"
  section "${app[@]}" train --synthetic-data-recipe --threads 2 --eval-every 0 --output "$out/recipe" --log-level Warning
  section "${app[@]}" evaluate --model "$out/recipe/mnist-gan.zip" --samples 10000 --output "$out/recipe-eval"
  section "${app[@]}" evaluate --model "$out/recipe/mnist-gan.zip" --samples 2000 --cnn-cas-channels 32 --output "$out/recipe-eval32"
  {
    echo
    echo "The rows a trainer gets with the recipe's filter (\`SyntheticRowOptions.MinimumConfidence\` 0.5 with a \`LeNetClassifier\` trained on"
    echo "the 60,000 real train rows, 32/64 channels, seed 2; not the shipped feature network, which measures label agreement): generated rows"
    echo "whose label that classifier does not find most likely are drawn again."
  } >> "$output.tmp"
  section "${app[@]}" evaluate --model "$out/recipe/mnist-gan.zip" --samples 10000 --filter-confidence 0.5 --output "$out/recipe-eval-filtered"
  # The README's picture of the recipe's rows: 10 per class, one class per column.
  "${app[@]}" generate --model "$out/recipe/mnist-gan.zip" --count 100 --seed 1 --output "$out/recipe-generate" > /dev/null
  mkdir -p docs/images
  cp "$out/recipe-generate/generated.png" docs/images/recipe-digits.png
  printf '\n![100 rows of the recipe, one class per column](images/recipe-digits.png)\n' >> "$output.tmp"
}

if [ "${1:-}" = recipe ]; then
  # Keep everything above the recipe section; rebuild the section itself.
  awk -v h="$recipe_heading" 'index($0, h) == 1 { exit } { lines[n++] = $0 } END { while (n > 0 && lines[n - 1] == "") n--; for (i = 0; i < n; i++) print lines[i] }' "$output" > "$output.tmp"
  recipe
  mv "$output.tmp" "$output"
  exit 0
fi


cat > "$output.tmp" <<HEADER
# Evaluation

Produced by \`bench/evaluation.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"),
.NET SDK $(dotnet --version), TorchSharp 0.107.0 (libtorch 2.10.0, CPU). Training runs use the default single
thread and seed 1, so their metrics repeat exactly (the recipe section uses 2 threads, for its time). The feature network shipped in the library was trained
by \`gan-samples feature-net\` (seed 1, 8 epochs, 2 threads); its accuracy on the MNIST test split is the
label agreement in the first section below (the test split evaluated against itself).

## Method

- Features: the 128 penultimate activations (after ReLU) of the project's LeNet-style MNIST classifier
  (Conv 5x5 16 -> pool -> Conv 5x5 32 -> pool -> Linear 128 -> Linear 10), weights embedded in the library.
- FID: Fréchet distance of Gaussians fitted to the two feature sets (two symmetric eigendecompositions in
  double precision). KID: unbiased MMD² with the kernel (xᵀy/128 + 1)³, mean ± sd over 10 subsets of 1,000.
- Floor: the same distances between two real samples (first N rows of MNIST train vs MNIST test).
  Raw LeNet features are not normalised, so values are large; compare them only with each other.
- Class entropy: entropy in bits of the histogram of predicted digits (3.32 = balanced, 0 = one digit).
- CAS (classification accuracy score): a classifier trained on 10,000 generated labelled rows only, accuracy on
  MNIST test; next to it, the same recipe trained on the first 10,000 MNIST train rows (the real ceiling).
  Linear: ML.NET LbfgsMaximumEntropy on the pixels. CNN: the feature network's LeNet layers trained from scratch
  (3 epochs, Adam 0.001, batch 128); "CNN 32" is the same with 32/64 channels (\`--cnn-cas-channels 32\`).

## The shipped feature network on the MNIST test split (label agreement = its test accuracy)
HEADER

section "${app[@]}" evaluate --idx "$data_dir/t10k-images-idx3-ubyte" --idx-labels "$data_dir/t10k-labels-idx1-ubyte" --samples 10000 --cas-samples 0 --output "$out/test"

printf '\n## Real data against real data (the floor; CAS here is a classifier trained on 10,000 real rows)\n' >> "$output.tmp"

section "${app[@]}" evaluate --idx "$data_dir/train-images-idx3-ubyte" --idx-labels "$data_dir/train-labels-idx1-ubyte" --samples 10000 --output "$out/real"

printf '\n## The README main job: the article'"'"'s GAN, 5 epochs\n' >> "$output.tmp"
section "${app[@]}" train --output "$out/train" --log-level Warning
section "${app[@]}" evaluate --model "$out/train/mnist-gan.zip" --samples 10000 --output "$out/train-eval"

printf '\n## A conditional DCGAN, 1 epoch\n' >> "$output.tmp"
section "${app[@]}" train --architecture Dcgan --conditional --epochs 1 --eval-every 0 --output "$out/dcgan" --log-level Warning
section "${app[@]}" evaluate --model "$out/dcgan/mnist-gan.zip" --samples 10000 --cas-samples 10000 --output "$out/dcgan-eval"

recipe
mv "$output.tmp" "$output"
cat "$output"
