#!/usr/bin/env bash
# Benchmarks of Microsoft.ML.Gan next to the source article's PyTorch code, in one invocation on one
# machine; writes docs/BENCHMARKS.md (about 45 minutes on 2 cores). Installs what the PyTorch side needs
# (Debian's python3-torch and libopenblas0-pthread: without OpenBLAS Debian's torch uses a reference BLAS and
# is ~20x slower), builds the samples app, then runs bench/run.py: .NET and PyTorch in turn, 3 repeats, medians.
#   bench/run.sh                        # everything
#   bench/run.sh --repeats 1 --skip rss # arguments go to bench/run.py
set -euo pipefail
cd "$(dirname "$0")/.."

python=/usr/bin/python3

if ! "$python" -c "import torch, sklearn" 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "Installing python3-torch, python3-sklearn and libopenblas0-pthread (Debian packages) for the PyTorch reference..." >&2
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd=sudo; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-torch python3-sklearn libopenblas0-pthread >/dev/null
fi

if ! command -v perf >/dev/null 2>&1; then
  echo "Installing linux-perf (Debian package) for the step profile..." >&2
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd=sudo; fi
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq linux-perf >/dev/null
fi

dotnet build src/Gan.Samples -c Release --nologo -v quiet
app=(dotnet src/Gan.Samples/bin/Release/net10.0/gan-samples.dll)
"${app[@]}" mnist --output artifacts/bench >/dev/null   # makes sure MNIST is in the cache
data_dir="${GAN_MNIST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/Microsoft.ML.Gan/mnist}"

exec "$python" bench/run.py --data-dir "$data_dir" --output docs/BENCHMARKS.md "$@"
