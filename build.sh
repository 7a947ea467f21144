#!/usr/bin/env bash
# Build, test, run, pack and publish Microsoft.ML.Gan. Verbs match build.cmd.
#   ./build.sh build            build the solution (Release)
#   ./build.sh test             run the NUnit suite, then smoke-test a published samples app
#   ./build.sh train [args]     the main job: train the GAN on MNIST (samples app 'train')
#   ./build.sh run <cmd> [args] any samples command (mnist, train, generate, ...); alias: sample
#   ./build.sh pack             NuGet package of the library into artifacts/packages
#   ./build.sh publish          self-contained-free publish of the samples app into artifacts/publish
#   ./build.sh bench [args]     benchmarks (see bench/README.md)
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
configuration="${CONFIGURATION:-Release}"
verb="${1:-build}"
shift || true

require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK 10 ('dotnet') is not on PATH; see README.md, Requirements." >&2
    exit 1
  fi
}

# The PyTorch round-trip tests need Debian's python3-torch at /usr/bin/python3; install it when apt-get can
# (root or password-less sudo). Elsewhere those tests report that torch is missing and are ignored.
ensure_pytorch() {
  if /usr/bin/python3 -c "import torch" >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    return 0
  fi
  local sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null || return 0
    sudo_cmd="sudo -n"
  fi
  echo "Installing python3-torch (Debian package) for the PyTorch round-trip tests..." >&2
  { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-torch >/dev/null; } \
    || echo "warning: python3-torch could not be installed; the PyTorch round-trip tests will be ignored." >&2
}

samples() {
  dotnet run --project src/Gan.Samples -c "$configuration" -- "$@"
}

publish() {
  dotnet publish src/Gan.Samples -c "$configuration" -o artifacts/publish "$@"
}

require_dotnet
case "$verb" in
  build)
    dotnet build GanMlNet.sln -c "$configuration" "$@"
    ;;
  test)
    ensure_pytorch
    dotnet test GanMlNet.sln -c "$configuration" --logger "console;verbosity=normal" "$@"
    # The published app (what users deploy) must load TorchSharp and read MNIST too.
    publish --nologo -v quiet
    artifacts/publish/gan-samples mnist --output artifacts/publish-smoke
    ;;
  train)
    samples train "$@"
    ;;
  run|sample)
    samples "$@"
    ;;
  pack)
    dotnet pack src/Microsoft.ML.Gan -c "$configuration" -o artifacts/packages "$@"
    ;;
  publish)
    publish "$@"
    ;;
  bench)
    bench/run.sh "$@"
    ;;
  *)
    echo "usage: ./build.sh build|test|train|run <command>|pack|publish|bench [args]" >&2
    exit 2
    ;;
esac
