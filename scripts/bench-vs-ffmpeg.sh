#!/usr/bin/env bash
# Speed of RackFocus as ratios against ffmpeg, run beside it on the same machine in the same run
# (issue 14's targets). Needs a release build, ffmpeg, python3 with numpy and OpenEXR
# (pip install numpy OpenEXR), and ../shared/samples.
#   swift build -c release && scripts/bench-vs-ffmpeg.sh
# Prints one line per figure; timing never goes into unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
R=${RACKFOCUS:-$PWD/.build/release/rackfocus}
S=${SAMPLES:-$PWD/../shared/samples/cycles-a}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
[ -x "$R" ] || { echo "bench: build first (swift build -c release)"; exit 1; }
export LC_ALL=C

# Wall time (s) of one run of a command.
wall() {
  local a b
  a=$(date +%s.%N); "$@" >/dev/null 2>&1; b=$(date +%s.%N)
  echo "$b - $a" | bc -l
}

# Median of the values given.
med() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Each figure is measured in pairs, ours then ffmpeg's, taken one after the other ROUNDS times
# (default 5); the ratio printed is the median of the pairs' ratios, so a machine whose speed drifts
# (a shared host) slows both sides of a pair alike. The times printed are the medians of each side.
ROUNDS=${ROUNDS:-5}

# paired OURS THEIRS: runs the functions OURS then THEIRS (each prints one figure) ROUNDS times;
# sets OURS and THEIRS to the medians of their figures, RATIO to the median of OURS/THEIRS over the
# pairs and INVERSE to the median of THEIRS/OURS.
paired() {
  local o t os=() ts=() rs=() is=()
  for _ in $(seq "$ROUNDS"); do
    o=$("$1"); t=$("$2")
    os+=("$o"); ts+=("$t"); rs+=("$(echo "$o / $t" | bc -l)"); is+=("$(echo "$t / $o" | bc -l)")
  done
  OURS=$(med "${os[@]}"); THEIRS=$(med "${ts[@]}"); RATIO=$(med "${rs[@]}"); INVERSE=$(med "${is[@]}")
}

echo "RackFocus against ffmpeg on $(nproc) cores ($(ffmpeg -version | head -1 | cut -d' ' -f1-3))"

# 1. The kernel: bench at 1080p, max CoC 40 px, all threads, against ffmpeg's float Gaussian blur.
# ffmpeg's time per frame is the blur's run less a run that only converts to float, taken
# together, over 240 frames (over 48 the blur's share, 0.2-0.3 s, was within the runs' noise).
# Our figure is `bench`'s own (its median of 3 runs after a warm-up).
src="testsrc2=s=1920x1080:r=24"
kernel_ours() {
  local o
  o=$("$R" bench --coc 40 --runs 3 --no-reference | awk '$1 == "40" && $3 == "'"$(nproc)"'" {print $4}')
  [ -n "$o" ] || o=$("$R" bench --coc 40 --runs 3 --no-reference | awk '$1 == "40" {v=$4} END {print v}')
  echo "$o"
}
kernel_theirs() {
  local blur base
  blur=$(wall ffmpeg -v error -f lavfi -i "$src" -frames:v 240 -vf format=gbrpf32le,gblur=sigma=10 -f null -)
  base=$(wall ffmpeg -v error -f lavfi -i "$src" -frames:v 240 -vf format=gbrpf32le -f null -)
  echo "($blur - $base) * 1000 / 240" | bc -l
}
paired kernel_ours kernel_theirs
printf 'kernel  bench 1080p max CoC 40 px: %.1f ms/frame; ffmpeg gblur=sigma=10 (float): %.1f ms/frame; ratio %.1fx (target <= 5x)\n' \
  "$OURS" "$THEIRS" "$RATIO"

# 2. still: the public sample at 1080p, EXR in and out, whole process, against ffmpeg varblur with
#    the same radius map (varblur has no occlusion at all).
# The frame and depth are doubled by nearest sample in numpy (ffmpeg's scaler would clamp float
# depth to 0-1), the frame written by OpenEXR's C++ library (PyPI's OpenEXR).
python3 - "$S" "$W" <<'PY'
import sys, numpy as np, OpenEXR
s, w = sys.argv[1], sys.argv[2]
with open(s + '/depth.pfm', 'rb') as f:
    f.readline(); width, height = map(int, f.readline().split()); scale = float(f.readline())
    d = np.frombuffer(f.read(), '<f4' if scale < 0 else '>f4').reshape(height, width)
d = np.repeat(np.repeat(d, 2, 0), 2, 1)
with open(w + '/depth.pfm', 'wb') as f:
    f.write(b'Pf\n%d %d\n-1.0\n' % (d.shape[1], d.shape[0])); f.write(d.astype('<f4').tobytes())
with OpenEXR.File(s + '/pinhole.exr') as f:
    channels = {k: np.repeat(np.repeat(v.pixels, 2, 0), 2, 1) for k, v in f.channels().items()}
with OpenEXR.File({'compression': OpenEXR.ZIP_COMPRESSION, 'type': OpenEXR.scanlineimage}, channels) as f:
    f.write(w + '/frame.exr')
# Thin-lens blur radius in pixels of the 1920-wide frame (50 mm f/1.8, 36 mm sensor, focus 1.5 m),
# as the engine computes it, clipped to varblur's 8-bit map (PFM rows are stored bottom-up).
dm = d[::-1] * 1000
f_mm, n, focus = 50.0, 1.8, 1500.0
r = np.clip((f_mm / n) * f_mm * np.abs(dm - focus) / (dm * focus) * 1920 / 36 / 2, 0, 255).astype(np.uint8)
with open(w + '/radius.pgm', 'wb') as f:
    f.write(b'P5\n%d %d\n255\n' % (r.shape[1], r.shape[0])); f.write(r.tobytes())
open(w + '/radius.pgm.max', 'w').write(str(int(r.max())))
PY
maxr=$(cat "$W/radius.pgm.max")
still_ours() {
  wall "$R" still --image "$W/frame.exr" --depth "$W/depth.pfm" --focus 1.5m --focal 50mm --stop 1.8 \
    --sensor 36x20.25 -o "$W/still.exr"
}
still_theirs() {
  wall ffmpeg -v error -y -i "$W/frame.exr" -i "$W/radius.pgm" -filter_complex \
    "[0:v]format=gbrpf32le[a];[1:v]format=gray[r];[a][r]varblur=max_r=$maxr" -compression 3 "$W/varblur.exr"
}
paired still_ours still_theirs
printf 'still   1080p EXR in and out: %.2f s; ffmpeg varblur (max_r %d): %.2f s; ratio %.2fx (target <= 0.75x)\n' \
  "$OURS" "$maxr" "$THEIRS" "$RATIO"

# 3. render: a 48-frame 1080p H.264 clip with one depth map, H.264 out, against ffmpeg's Gaussian
#    blur and x264 on the same clip.
"$R" demo --size 1920x1080 -o "$W/d1080" >/dev/null
ffmpeg -v error -i "$W/d1080/plate.mp4" -frames:v 48 -c:v libx264 -crf 18 -pix_fmt yuv420p "$W/clip.mp4"
sed -e 's/start: 1s, duration: 1.5s/start: 0.5s, duration: 1s/' "$W/d1080/shot.yaml" >"$W/shot48.yaml"
grep -q "start: 0.5s" "$W/shot48.yaml" || { echo "bench: the demo plan changed; update the rack's cue here"; exit 1; }
render_ours() {
  wall "$R" render "$W/shot48.yaml" --input "$W/clip.mp4" --depth "$W/d1080/depth.exr" --depth-still -o "$W/out.mp4"
}
render_theirs() { wall ffmpeg -v error -y -i "$W/clip.mp4" -vf gblur=sigma=10 -c:v libx264 "$W/gblur.mp4"; }
paired render_ours render_theirs
# The target is a frame rate: theirs' time over ours.
printf 'render  48 frames 1080p H.264 in and out: %.1f fps; ffmpeg gblur + libx264: %.1f fps; ratio %.2f (target >= 0.33)\n' \
  "$(echo "48 / $OURS" | bc -l)" "$(echo "48 / $THEIRS" | bc -l)" "$INVERSE"

# 4. Memory: render at 3840x2160 with a max CoC of about 80 px (the demo at f/6.5), 12 frames.
#    The 1080p demo's plate and depth scaled up (nearest sample for depth).
ffmpeg -v error -i "$W/clip.mp4" -frames:v 12 -vf scale=3840:2160 -c:v libx264 -crf 18 -pix_fmt yuv420p "$W/clip4k.mp4"
ffmpeg -v error -i "$W/d1080/depth.exr" -vf scale=3840:2160:flags=neighbor,format=gbrpf32le -compression 3 "$W/depth4k.exr"
sed -e 's/start: 1s, duration: 1.5s/start: 0.1s, duration: 0.3s/' -e 's/stop: 1.8/stop: 6.5/' "$W/d1080/shot.yaml" >"$W/shot4k.yaml"
/usr/bin/time -f '%M' -o "$W/rss" "$R" render "$W/shot4k.yaml" --input "$W/clip4k.mp4" --depth "$W/depth4k.exr" --depth-still \
  -o "$W/out4k.mp4" >/dev/null 2>&1
printf 'memory  render 3840x2160, max CoC about 80 px: %.2f GB resident at most (target < 3 GB)\n' "$(echo "$(cat "$W/rss") / 1048576" | bc -l)"
