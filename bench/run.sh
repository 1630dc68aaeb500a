#!/usr/bin/env bash
# Runs the benchmark suite (CompiledNet vs TorchSharp-cpu, ONNX Runtime in a child process, and a scalar floor, on
# Fashion-MNIST) and writes the table to $OUT (default bench/results.md; see bench/README.md). Installs Debian's
# dataset-fashion-mnist when missing (as root or with passwordless sudo). Takes about 17 minutes on an idle 2-core machine.
# Arguments are passed on (e.g. --inference). To force a vector width, set the .NET variables, e.g.
#   DOTNET_PreferredVectorBitWidth=256 bash bench/run.sh     (Vector512 off)
#   DOTNET_PreferredVectorBitWidth=128 bash bench/run.sh     (Vector128 only, with FMA: the Arm64 stand-in)
#   DOTNET_EnableAVX2=0 bash bench/run.sh                    (Vector128 only, no FMA)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${CNET_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
if [[ ! -f "$data/train-images-idx3-ubyte.gz" ]]; then
  if [[ "$(id -u)" == "0" ]]; then
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >&2
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -q >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >&2
  else
    echo "Fashion-MNIST is missing from $data: install the Debian package dataset-fashion-mnist or set CNET_FASHION_MNIST." >&2
    exit 1
  fi
fi
cd "$root"
# Release only: BenchmarkDotNet refuses a Debug build (and still exits 0), so the table is checked below.
dotnet build bench/CompiledNet.Bench/CompiledNet.Bench.csproj -c Release >&2
dotnet bench/CompiledNet.Bench/bin/Release/net10.0/CompiledNet.Bench.dll --out "${OUT:-bench/results.md}" "$@"
test -s "${OUT:-bench/results.md}" || { echo "no table was written" >&2; exit 1; }
