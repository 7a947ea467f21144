#!/usr/bin/env bash
# Benchmarks of Microsoft.ML.Gan next to the source article's PyTorch code, in one invocation on one
# machine; writes docs/BENCHMARKS.md. Installs what the PyTorch side needs (Debian's python3-torch and
# libopenblas0-pthread: without OpenBLAS Debian's torch uses a reference BLAS and is ~20x slower).
#   bench/run.sh                      # .NET Fit with 1 and 2 threads, Transform/bulk rates, PyTorch with 1 and 2 threads
#   EPOCHS=3 PY_EPOCHS=2 bench/run.sh # more epochs per measurement
set -euo pipefail
cd "$(dirname "$0")/.."

epochs="${EPOCHS:-2}"
py_epochs="${PY_EPOCHS:-1}"
rows="${ROWS:-100000}"
fid_threshold="${FID_THRESHOLD:-400}"
python=/usr/bin/python3
output=docs/BENCHMARKS.md

if ! "$python" -c "import torch" 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "Installing python3-torch and libopenblas0-pthread (Debian packages) for the PyTorch reference..." >&2
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd=sudo; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
fi

dotnet build src/Gan.Samples -c Release --nologo -v quiet
app=(dotnet src/Gan.Samples/bin/Release/net10.0/gan-samples.dll)
"${app[@]}" mnist --output artifacts/bench >/dev/null   # makes sure MNIST is in the cache
data_dir="${GAN_MNIST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/Microsoft.ML.Gan/mnist}"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

echo "== .NET: gan-samples bench --epochs $epochs --threads 1 2 --rows $rows" >&2
"${app[@]}" bench --epochs "$epochs" --threads 1 2 --rows "$rows" --markdown "$scratch/dotnet.md" >/dev/null

# The default thread count is chosen for machines that are not idle: measure Fit again while another
# process keeps one core busy.
echo "== .NET under load: gan-samples bench --fit-only --epochs 1 --threads 1 2, one core kept busy" >&2
"$python" -c "while True: pass" &
busy=$!
"${app[@]}" bench --fit-only --epochs 1 --threads 1 2 --label ", one core busy with another process" --markdown "$scratch/dotnet-busy.md" >/dev/null
kill "$busy"

echo "== .NET DCGAN: gan-samples bench --architecture Dcgan --epochs 1 --threads 1 --rows 20000" >&2
"${app[@]}" bench --architecture Dcgan --epochs 1 --threads 1 --rows 20000 --markdown "$scratch/dotnet-dcgan.md" >/dev/null

echo "== .NET time to quality: gan-samples bench --time-to-fid $fid_threshold (Mlp up to 30 epochs, Dcgan up to 2)" >&2
"${app[@]}" bench --time-to-fid "$fid_threshold" --architecture Mlp --max-epochs 30 --markdown "$scratch/quality-mlp.md" >/dev/null
"${app[@]}" bench --time-to-fid "$fid_threshold" --architecture Dcgan --max-epochs 2 --markdown "$scratch/quality-dcgan.md" >/dev/null

for threads in 1 2; do
  echo "== PyTorch: gan_reference.py --architecture mlp --epochs $py_epochs --threads $threads" >&2
  OMP_NUM_THREADS=$threads "$python" bench/pytorch/gan_reference.py --data-dir "$data_dir" --epochs "$py_epochs" --threads "$threads" > "$scratch/pytorch-mlp-$threads.json"
done
echo "== PyTorch: gan_reference.py --architecture dcgan --epochs 1 --threads 1" >&2
OMP_NUM_THREADS=1 "$python" bench/pytorch/gan_reference.py --data-dir "$data_dir" --architecture dcgan --epochs 1 --threads 1 > "$scratch/pytorch-dcgan-1.json"

cpu="$(lscpu | sed -n 's/^Model name:\s*//p' | head -1)"
memory="$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
os="$(. /etc/os-release && echo "$PRETTY_NAME")"
openblas="$(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo '?')"

"$python" - "$scratch" "$output" "$cpu" "$(nproc)" "$memory" "$os" "$(dotnet --version)" "$openblas" "$epochs" "$py_epochs" "$rows" "$fid_threshold" <<'PY'
import json, sys, datetime, pathlib
scratch, output, cpu, cores, memory, os_name, sdk, openblas, epochs, py_epochs, rows, fid_threshold = sys.argv[1:]
dotnet = pathlib.Path(scratch, "dotnet.md").read_text()
busy = pathlib.Path(scratch, "dotnet-busy.md").read_text().splitlines()[2:]
dcgan = pathlib.Path(scratch, "dotnet-dcgan.md").read_text().splitlines()[2:]
quality = [line for name in ("mlp", "dcgan") for line in pathlib.Path(scratch, f"quality-{name}.md").read_text().splitlines()[2:]]
py_rows = []
torch_version = "?"
for name in ("mlp-1", "mlp-2", "dcgan-1"):
    result = json.loads(pathlib.Path(scratch, f"pytorch-{name}.json").read_text())
    torch_version = result["torch"]
    seconds = result["epoch_seconds"]
    mean = sum(seconds) / len(seconds)
    what = "Mlp (the article's code)" if result["architecture"] == "mlp" else "Dcgan (same networks)"
    py_rows.append(f"| PyTorch {what}, s per MNIST epoch | {result['threads']} thread(s) | "
                   f"{mean:.2f} s = {938 / mean:.0f} steps/s, {60000 / mean:,.0f} images/s (epochs: {', '.join(f'{s:.2f}' for s in seconds)}) |")
text = f"""# Benchmarks

Produced by `bench/run.sh` (`./build.sh bench`) on {datetime.date.today().isoformat()}; every number below comes
from that one invocation. Re-run it to refresh this file; numbers on a shared 2-core VM move by 10-20 %
between runs.

- Machine: {cpu}, {cores} cores, {memory} RAM, {os_name}
- .NET SDK {sdk}; Microsoft.ML 5.0.1; TorchSharp 0.107.0 with libtorch 2.10.0 (CPU); ONNX Runtime 1.31.1
- PyTorch reference: Debian python3-torch {torch_version} with libopenblas0-pthread {openblas}
- Networks: the article's vanilla GAN (Mlp: h = 32, z = 100, batch 64, Adam 0.002) and the DCGAN
  (w = 64, Adam 0.0002), both unconditional with the BCE loss, full MNIST train split
- Threads: the setting column; `torch.set_num_threads` on both sides (and `OMP_NUM_THREADS` for PyTorch).
  In-memory Transform runs ONNX Runtime with 1 thread per call, a loaded model with ONNX Runtime's
  defaults (ML.NET does not save thread settings), bulk generation with 1 intra-op thread.
- Commands: `gan-samples bench --epochs {epochs} --threads 1 2 --rows {rows}`; the same with
  `--fit-only --epochs 1` while a Python busy loop occupies one core; `gan-samples bench --fit-only
  --architecture Dcgan --epochs 1 --threads 1 --rows 20000`; `gan-samples bench --time-to-fid {fid_threshold}
  --architecture Mlp --max-epochs 30` (and Dcgan, 2 epochs); `python3 bench/pytorch/gan_reference.py
  --architecture mlp --epochs {py_epochs} --threads N` and `--architecture dcgan --epochs 1 --threads 1`

## Training and generation

{dotnet.rstrip()}
{chr(10).join(busy)}
{chr(10).join(dcgan)}
{chr(10).join(py_rows)}

## Time to quality

FID here is measured with the project's MNIST feature network (docs/EVALUATION.md) on 2,000 generated
images against 2,000 training images after every epoch; docs/EVALUATION.md has the floor between two
real samples (at 10,000 images; smaller samples sit higher). The PyTorch side has no such measurement
(it would need the same feature network), so this table is .NET only.

| measurement | setting | result |
|---|---|---|
{chr(10).join(quality)}
"""
pathlib.Path(output).write_text(text)
print(text)
PY
