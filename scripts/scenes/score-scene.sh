#!/usr/bin/env bash
# Scores `rackfocus still` against a path-traced scene's ground truth, one line per focus distance:
# PSNR dB / SSIM / edge-band PSNR dB in display space (the samples' scoring).
# Usage: scripts/scenes/score-scene.sh SCENE_DIR FOCAL_MM STOP [still options...]
# SCENE_DIR holds pinhole.exr, depth.exr or depth_0001.exr, and gt_<focus>.exr (as make_scene*.py
# write them); a 36 mm-wide sensor at the frame's aspect ratio is assumed.
set -euo pipefail
dir=$1 focal=$2 stop=$3; shift 3
bin=${RACKFOCUS:-$(dirname "$0")/../../.build/release/rackfocus}
depth=$dir/depth.exr; [ -f "$depth" ] || depth=$dir/depth_0001.exr
read -r w h < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$dir/pinhole.exr" | tr , ' ')
sensor="36x$(python3 -c "print(round(36*$h/$w, 4))")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for gt in "$dir"/gt_*.exr; do
  f=$(basename "$gt" .exr); f=${f#gt_}
  "$bin" still --image "$dir/pinhole.exr" --depth "$depth" --focus "${f}m" --focal "${focal}mm" --stop "$stop" \
    --sensor "$sensor" "$@" -o "$out/o.exr" > /dev/null 2> "$out/err" || { cat "$out/err"; exit 1; }
  printf '%s m  %s\n' "$f" "$("$bin" score "$out/o.exr" --truth "$gt" --depth "$depth" | tr '\n' ' ')"
done
