#!/usr/bin/env bash
# Scores Blender's Defocus node (its CoC corrected to the thin lens, see coc_radius.py) against a
# scene's ground truth, one line per focus distance, as score-scene.sh scores `rackfocus still`.
# Usage: scripts/scenes/score-blender.sh SCENE_DIR FOCAL_MM STOP [BLADES ANGLE_DEG]
# Needs blender, and python3 with numpy and OpenEXR (for the radius map).
set -euo pipefail
dir=$1 focal=$2 stop=$3 blades=${4:-0} angle=${5:-0}
here=$(cd "$(dirname "$0")" && pwd)
bin=${RACKFOCUS:-$here/../../.build/release/rackfocus}
depth=$dir/depth.exr; [ -f "$depth" ] || depth=$dir/depth_0001.exr
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for gt in "$dir"/gt_*.exr; do
  f=$(basename "$gt" .exr); f=${f#gt_}
  python3 "$here/coc_radius.py" "$depth" "$focal" "$stop" "$f" "$out/z.exr" 1 > /dev/null
  blender -b -P "$here/blender_defocus.py" -- "$dir/pinhole.exr" "$out/z.exr" "$focal" 1 "$f" "$out/b.exr" \
    "$blades" "$angle" > "$out/log" 2>&1 || { tail -20 "$out/log"; exit 1; }
  printf '%s m  %s\n' "$f" "$("$bin" score "$out/b.exr" --truth "$gt" --depth "$depth" | tr '\n' ' ')"
done
