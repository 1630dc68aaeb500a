#!/usr/bin/env bash
# Compares what the Native AOT builds of Serve and its JIT build compute: publishes Serve with Native AOT for the
# instruction-set levels x86-64-v2, x86-64-v3 (Serve.csproj's default) and x86-64-v4, builds it for the JIT, runs
# `classify --print-probabilities` on the same Fashion-MNIST test images with each AOT binary and with the JIT build
# at three vector widths (the CPU's widest; DOTNET_PreferredVectorBitWidth=256; DOTNET_EnableAVX2=0), then prints for
# every pair of builds how many images got bit-identical probabilities, the largest difference of one probability
# and how often the predicted classes agree.
#   bash samples/Serve/check-aot.sh [--count N]     (default 1000 images)
# Environment: OUT (default artifacts/aot-check) for binaries and outputs, DATA (the Fashion-MNIST folder),
# CHECKPOINT (a FashionNet checkpoint; default: trains one for 2 epochs with samples/FashionMnist), PUBLISH=0 to
# reuse binaries already published in $OUT. A level the CPU does not support is reported and left out.
# Native AOT needs clang and zlib1g-dev (samples/Serve/run.sh installs them).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${OUT:-$root/artifacts/aot-check}"
data="${DATA:-/usr/share/datasets/fashion-mnist}"
count=1000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --count)
      if [[ $# -lt 2 || ! "$2" =~ ^[1-9][0-9]*$ ]]; then echo "--count expects a whole number of at least 1, not '${2:-}'." >&2; exit 2; fi
      count="$2"; shift 2 ;;
    *) echo "Unknown argument '$1' (the only option is --count N)." >&2; exit 2 ;;
  esac
done
images="$data/t10k-images-idx3-ubyte.gz"
if [[ ! -f "$images" ]]; then echo "No $images: set DATA to the Fashion-MNIST folder." >&2; exit 1; fi
if ! command -v clang >/dev/null || [[ ! -e /usr/include/zlib.h ]]; then
  echo "Native AOT needs clang and zlib1g-dev (apt-get install clang zlib1g-dev, or run samples/Serve/run.sh once as root)." >&2
  exit 1
fi
mkdir -p "$out"
checkpoint="${CHECKPOINT:-$out/fashion.ckpt}"
if [[ ! -f "$checkpoint" ]]; then
  dotnet run -c Release --project "$root/samples/FashionMnist" -- --data "$data" --epochs 2 --save "$checkpoint" --out "$out" >&2
fi

levels=(x86-64-v2 x86-64-v3 x86-64-v4)
for level in "${levels[@]}"; do
  if [[ "${PUBLISH:-1}" != "0" || ! -x "$out/$level/Serve" ]]; then
    echo "publishing Serve with Native AOT for $level" >&2
    dotnet publish "$here/Serve.csproj" -c Release -r linux-x64 -p:IlcInstructionSet="$level" -o "$out/$level" >&2
  fi
done
dotnet build "$here/Serve.csproj" -c Release >&2
dll="$here/bin/Release/net10.0/Serve.dll"

arguments=(classify --checkpoint "$checkpoint" --idx "$images" --count "$count" --print-probabilities)
names=()
run() {   # run NAME COMMAND...: keeps the probability lines of one build in $out/NAME.txt
  local name="$1"; shift
  if "$@" "${arguments[@]}" > "$out/$name.out" 2> "$out/$name.err"; then
    grep '^probabilities ' "$out/$name.out" > "$out/$name.txt"
    names+=("$name")
  else
    echo "$name did not run (exit code $?): $(head -c 300 "$out/$name.err")" >&2
  fi
}
for level in "${levels[@]}"; do run "aot-$level" "$out/$level/Serve"; done
run jit-default dotnet "$dll"
run jit-256 env DOTNET_PreferredVectorBitWidth=256 dotnet "$dll"
run jit-avx2-off env DOTNET_EnableAVX2=0 dotnet "$dll"

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1); $count test images; probabilities compared per image (10 each)"
printf '%-16s %-16s %16s %22s %18s\n' build "other build" "identical images" "max |difference|" "same class"
for ((i = 0; i < ${#names[@]}; i++)); do
  for ((j = i + 1; j < ${#names[@]}; j++)); do
    a="${names[i]}" b="${names[j]}"
    paste -d '|' "$out/$a.txt" "$out/$b.txt" | awk -F '|' -v a="$a" -v b="$b" '
      {
        n++
        if ($1 == $2) same++
        split($1, x, " "); split($2, y, " ")
        bx = 3; by = 3
        for (k = 3; k <= 12; k++) {
          d = x[k] - y[k]; if (d < 0) d = -d; if (d > max) max = d
          if (x[k] + 0 > x[bx] + 0) bx = k
          if (y[k] + 0 > y[by] + 0) by = k
        }
        if (bx == by) agree++
      }
      END { printf "%-16s %-16s %11d/%-4d %22.3g %13d/%-4d\n", a, b, same, n, max, agree, n }'
  done
done
