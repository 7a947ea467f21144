#!/usr/bin/env bash
# Regenerates every picture README.md shows (docs/images/readme-*.png) with the repository's own commands:
#   - the README main job (`./build.sh train`: the article's GAN, 5 epochs, FID every epoch): the fixed-latent
#     grid after epoch 1 and after the last epoch, and its loss and FID curves;
#   - a conditional DCGAN (1 epoch): `generate -n 100`, one class per column.
# About 12 minutes on 2 cores shared with other jobs (the DCGAN epoch is most of it). Usage: bench/readme-images.sh [extra train arguments for the main job]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-out/readme-images}"
rm -rf "$out"
mkdir -p docs/images

./build.sh train --output "$out/train" --log-level Warning "$@"
last="$(ls "$out/train/samples" | sort | tail -n 1)"
cp "$out/train/samples/epoch-001.png" docs/images/readme-epoch-first.png
cp "$out/train/samples/$last" docs/images/readme-epoch-last.png
cp "$out/train/losses.png" docs/images/readme-losses.png
cp "$out/train/fid.png" docs/images/readme-fid.png
echo "main job: epoch 1 and ${last%.png} grids, losses.png and fid.png -> docs/images/readme-*.png"

./build.sh run train --architecture Dcgan --conditional --epochs 1 --eval-every 0 --output "$out/conditional" --log-level Warning
./build.sh run generate --model "$out/conditional/mnist-gan.zip" -n 100 --seed 7 --output "$out/conditional-generate"
cp "$out/conditional-generate/generated.png" docs/images/readme-conditional-dcgan.png
echo "conditional DCGAN, 1 epoch: generate -n 100 --seed 7 -> docs/images/readme-conditional-dcgan.png"
