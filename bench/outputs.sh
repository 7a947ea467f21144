#!/usr/bin/env bash
# The outputs a refactor must not change (issue 9): the README job's per-epoch losses and the SHA-256 of
# `generate -n 1000 --seed 7` from its model, the same hash for a 1-epoch DCGAN, and for two small conditional
# runs (MLP and DCGAN on 3,000 rows; images and labels), which cover the label embedding. Prints them; compare
# the output of two commits. About 6 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Gan.Samples -c Release --nologo -v quiet >/dev/null
app=(dotnet src/Gan.Samples/bin/Release/net10.0/gan-samples.dll)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"${app[@]}" train --output "$out/readme" --log-level Warning >/dev/null
echo "README job (train): epoch,d_loss,g_loss"
cut -d, -f1-3 "$out/readme/losses.csv" | tail -n +2
"${app[@]}" generate --model "$out/readme/mnist-gan.zip" -n 1000 --seed 7 --output "$out/readme-generate" >/dev/null
echo "README job: generate -n 1000 --seed 7: $(sha256sum "$out/readme-generate/generated-images-idx3-ubyte" | cut -d' ' -f1)"
"${app[@]}" train --architecture Dcgan --epochs 1 --eval-every 0 --output "$out/dcgan" --log-level Warning >/dev/null
echo "DCGAN, 1 epoch: epoch,d_loss,g_loss $(tail -n 1 "$out/dcgan/losses.csv" | cut -d, -f1-3)"
"${app[@]}" generate --model "$out/dcgan/mnist-gan.zip" -n 1000 --seed 7 --output "$out/dcgan-generate" >/dev/null
echo "DCGAN, 1 epoch: generate -n 1000 --seed 7: $(sha256sum "$out/dcgan-generate/generated-images-idx3-ubyte" | cut -d' ' -f1)"
for arch in Mlp Dcgan; do
  "${app[@]}" train --architecture "$arch" --conditional --epochs 1 --max-rows 3000 --eval-every 0 --output "$out/cond-$arch" --log-level Warning >/dev/null
  echo "Conditional $arch, 3,000 rows, 1 epoch: epoch,d_loss,g_loss $(tail -n 1 "$out/cond-$arch/losses.csv" | cut -d, -f1-3)"
  "${app[@]}" generate --model "$out/cond-$arch/mnist-gan.zip" -n 1000 --seed 7 --output "$out/cond-$arch-generate" >/dev/null
  echo "Conditional $arch: generate -n 1000 --seed 7: $(cat "$out/cond-$arch-generate"/generated-*-ubyte | sha256sum | cut -d' ' -f1)"
done
