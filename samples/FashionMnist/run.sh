#!/usr/bin/env bash
# Trains the Fashion-MNIST sample. With no --data argument it uses Debian's dataset-fashion-mnist package,
# installing it first when it is missing and this user may install packages.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data_dir="/usr/share/datasets/fashion-mnist"
for arg in "$@"; do
  if [[ "$arg" == "--data" ]]; then data_dir=""; fi
done

if [[ -n "$data_dir" && ! -f "$data_dir/train-images-idx3-ubyte.gz" ]]; then
  echo "Fashion-MNIST is not in $data_dir; installing Debian's package dataset-fashion-mnist." >&2
  if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >&2
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -q >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >&2
  fi
  if [[ ! -f "$data_dir/train-images-idx3-ubyte.gz" ]]; then
    cat >&2 <<MSG
Could not obtain Fashion-MNIST automatically (installing a package needs root or passwordless sudo with apt-get).
Get the four IDX files (plain or .gz):
  train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
either with 'sudo apt-get install dataset-fashion-mnist' (Debian/Ubuntu; installs them in $data_dir)
or from https://github.com/zalandoresearch/fashion-mnist (data/fashion), then run:
  bash samples/FashionMnist/run.sh --data /path/to/that/folder
MSG
    exit 1
  fi
fi

exec dotnet run -c Release --project "$here/FashionMnist.csproj" -- "$@"
