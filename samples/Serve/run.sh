#!/usr/bin/env bash
# Publishes samples/Serve with Native AOT (installing clang and zlib1g-dev first when missing and possible), trains and
# saves a Fashion-MNIST checkpoint if there is none, then:
#   bash samples/Serve/run.sh [serve] [options]  starts the web service on ${URL:-http://127.0.0.1:5000} (Ctrl+C stops it);
#                                             options go to the service: --url URL, --Serve:MaxImagePixels=N, … (docs/serving.md)
#   bash samples/Serve/run.sh load-test [...] starts it on 127.0.0.1:5099, times its start-up, runs the bounded load
#                                             test, stops it (options: --clients N --requests N --seconds S --warmup N --port N)
#   bash samples/Serve/run.sh classify [...]  the command-line classifier on the test set and on three PNG files
#                                             (options go to the classifier: --count N)
# MODEL=cnn serves (and first trains, when missing) the convolutional FashionCnn, $OUT/fashion-cnn.ckpt, instead of the
# dense FashionNet, $OUT/fashion.ckpt. PUBLISH=0 reuses the binary already published in $OUT/bin.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
out="${OUT:-$root/artifacts/serve}"
data="${DATA:-/usr/share/datasets/fashion-mnist}"
mode=serve
if [[ $# -gt 0 && "$1" != --* ]]; then mode="$1"; shift; fi   # run.sh --url … is run.sh serve --url …
mkdir -p "$out"

case "${MODEL:-dense}" in
  dense)
    ckpt="$out/fashion.ckpt"
    if [[ ! -f "$ckpt" ]]; then
      bash "$root/samples/FashionMnist/run.sh" --save "$ckpt" ${DATA:+--data "$DATA"} --out "$out" >&2
    fi
    ;;
  cnn)
    ckpt="$out/fashion-cnn.ckpt"
    if [[ ! -f "$ckpt" ]]; then
      dotnet run -c Release --project "$root/samples/FashionMnistCnn" -- --save "$ckpt" ${DATA:+--data "$DATA"} >&2
    fi
    ;;
  *)
    echo "Unknown MODEL '$MODEL': dense (FashionNet, the default) or cnn (FashionCnn)." >&2
    exit 2
    ;;
esac

if [[ "${PUBLISH:-1}" != "0" || ! -x "$out/bin/Serve" ]]; then
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
  dotnet publish "$here/Serve.csproj" -c Release -r linux-x64 -o "$out/bin" >&2
fi
if [[ ! -f "$out/bin/libSkiaSharp.so" ]]; then
  echo "The publish left no libSkiaSharp.so in $out/bin: images could not be decoded. Delete $out/bin and run again." >&2
  exit 1
fi
echo "binary: $(stat -c %s "$out/bin/Serve") bytes (Native AOT; plus $(stat -c %s "$out/bin/libSkiaSharp.so") bytes of SkiaSharp's native library)"

case "$mode" in
  serve)
    # Options given here come after the defaults, so they win (--url, --checkpoint, any --Serve:Setting=value).
    exec "$out/bin/Serve" serve --checkpoint "$ckpt" --url "${URL:-http://127.0.0.1:5000}" "$@"
    ;;
  load-test)
    # Starts the service from the same binary on 127.0.0.1:5099 (--port to change), times its start-up, runs the
    # bounded load test against it and stops it.
    "$out/bin/Serve" load-test --serve "$ckpt" --data "$data" "$@"
    ;;
  classify)
    "$out/bin/Serve" classify --export-png "$out/png" --idx "$data/t10k-images-idx3-ubyte.gz" --count 3
    "$out/bin/Serve" classify --checkpoint "$ckpt" --idx "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz" --count 10000 "$@"
    "$out/bin/Serve" classify --checkpoint "$ckpt" "$out/png/image0.png" "$out/png/image1.png" "$out/png/image2.png" "$@"
    ;;
  *)
    echo "Unknown mode '$mode': serve, load-test or classify." >&2
    exit 2
    ;;
esac
