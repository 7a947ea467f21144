#!/usr/bin/env bash
# Follows README's "Use it in your own app" in a temporary folder: pack, a fresh console app that references the
# packed Microsoft.ML.Gan and TorchSharp-cpu through a local package source, the README's complete program, one epoch.
# Prints the size of the restored package folder (an empty NUGET_PACKAGES, so everything the app needs is counted)
# and of the app's bin/. Needs the package registry (nuget.org) and MNIST (downloaded once, or GAN_MNIST_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
./build.sh pack --nologo -v quiet >/dev/null
package="$(ls artifacts/packages/Microsoft.ML.Gan.*.nupkg | sort | tail -n 1)"
version="$(basename "$package" .nupkg)"; version="${version#Microsoft.ML.Gan.}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/packages"
cd "$work"
dotnet new console -o MyGanApp >/dev/null
cd MyGanApp
# A nuget.config next to the app, rather than 'dotnet nuget add source' into the user's configuration.
dotnet new nugetconfig >/dev/null
dotnet nuget add source "$repo/artifacts/packages" -n local-gan --configfile nuget.config >/dev/null
dotnet add package Microsoft.ML.Gan --version "$version" >/dev/null
dotnet add package TorchSharp-cpu --version 0.107.0 >/dev/null
dotnet add package Microsoft.Extensions.Logging.Console --version 11.0.0 >/dev/null
cp "$repo/samples/QuickStart/Program.cs" Program.cs
dotnet build -c Release --nologo -v quiet 2>&1 | grep -E "warn|error|GanMakeLibTorchSharpLoadable|GLIBCXX" || true
dotnet run -c Release --no-build -- 1 | tail -n 2
echo "package folder after restore: $(du -sh "$NUGET_PACKAGES" | cut -f1) ($(du -sb "$NUGET_PACKAGES" | cut -f1) bytes, $(ls "$NUGET_PACKAGES" | wc -l) packages)"
echo "bin/Release: $(du -sh bin/Release | cut -f1)"
echo "largest packages:"; du -sh "$NUGET_PACKAGES"/* | sort -h | tail -n 5
