#!/usr/bin/env bash
# Publishes samples/Serve with Native AOT (installing clang and zlib1g-dev first when missing and possible),
# trains and saves a Fashion-MNIST checkpoint if there is none, then classifies test images and PNG files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
out="${OUT:-$root/artifacts/serve}"
data="${DATA:-/usr/share/datasets/fashion-mnist}"
mkdir -p "$out"

if ! command -v clang >/dev/null || [[ ! -e /usr/include/zlib.h ]]; then
  if [[ "$(id -u)" == "0" ]]; then
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang zlib1g-dev >&2
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -q >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang zlib1g-dev >&2
  else
    echo "Native AOT needs clang and zlib1g-dev: install them (apt-get install clang zlib1g-dev) and run again." >&2
    exit 1
  fi
fi

if [[ ! -f "$out/fashion.ckpt" ]]; then
  bash "$root/samples/FashionMnist/run.sh" --save "$out/fashion.ckpt" ${DATA:+--data "$DATA"}
fi

dotnet publish "$here/Serve.csproj" -c Release -r linux-x64 -o "$out/bin" >&2
echo "binary: $(stat -c %s "$out/bin/Serve") bytes"
"$out/bin/Serve" --export-png "$out/png" --idx "$data/t10k-images-idx3-ubyte.gz" --count 3
"$out/bin/Serve" --checkpoint "$out/fashion.ckpt" --idx "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz" --count 10000
"$out/bin/Serve" --checkpoint "$out/fashion.ckpt" "$out/png/image0.png" "$out/png/image1.png" "$out/png/image2.png"
