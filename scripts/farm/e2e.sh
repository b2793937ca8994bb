#!/usr/bin/env bash
# End-to-end farm check (CI runs it): on a single-node Slurm cluster on loopback, inside its own
# network namespace, a 96-frame render submitted with `farm submit --chunk 24 --wait` must give
# a frame sequence byte-identical to one `render` of the same shot and the same assembled clip;
# a chunk that fails must make --wait exit non-zero and name it; an exported Open Job Description
# template must pass `openjd check`, and `openjd run` must give the same frames.
# Usage: scripts/farm/e2e.sh [RACKFOCUS]   (needs slurmctld slurmd slurm-client munge, openjd-cli)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../../.build/release/rackfocus}")" && pwd)/$(basename "${1:-rackfocus}")
[ -x "$bin" ] || { echo "farm e2e: no rackfocus at $bin (build it first)" >&2; exit 1; }
if [ -z "${RACKFOCUS_FARM_NETNS:-}" ]; then
  exec unshare --net env RACKFOCUS_FARM_NETNS=1 bash "$0" "$bin"
fi
ip link set lo up
ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true
tmp=$(mktemp -d)
cleanup() { "$here/slurm-test-cluster.sh" down "$tmp/slurm" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
"$here/slurm-test-cluster.sh" up "$tmp/slurm" >/dev/null
export SLURM_CONF=$tmp/slurm/slurm.conf
fail() { echo "farm e2e: FAILED: $*" >&2; exit 1; }

cd "$tmp"
"$bin" demo -o demo --size 320x180 >/dev/null 2>&1
# 96 frames: the demo's 84 and its last held for 12 more; a depth map per frame.
ffmpeg -v error -i demo/plate.mp4 -vf tpad=stop_mode=clone:stop=12 -c:v ffv1 plate.mkv
mkdir -p depth single
for i in $(seq 0 95); do cp demo/depth.exr "$(printf 'depth/d_%04d.exr' "$i")"; done
render=(demo/shot.yaml --input plate.mkv --depth 'depth/d_%04d.exr' --codec ffv1)

"$bin" render "${render[@]}" -o 'single/f_%06d.exr' 2>/dev/null
"$bin" render "${render[@]}" -o single.mkv 2>/dev/null
[ "$(ls single | wc -l)" = 96 ] || fail "the single render wrote $(ls single | wc -l) frames"

# 1. Slurm: 4 chunks, then the assembled clip.
"$bin" farm submit --chunk 24 --work work --wait "${render[@]}" -o farm.mkv
for f in single/f_*.exr; do
  cmp -s "$f" "work/frames/frame_${f#single/f_}" || fail "frame ${f#single/f_} differs from the single render"
done
[ "$(ffmpeg -v error -i farm.mkv -f framemd5 - | grep -v '^#')" = "$(ffmpeg -v error -i single.mkv -f framemd5 - | grep -v '^#')" ] \
  || fail "the assembled clip's frames differ from the single render's"
echo "farm e2e: slurm: 96 frames in 4 chunks, byte-identical to one render; clip identical"

# 2. A failing chunk: frame 50's depth map cut short.
head -c 2000 depth/d_0050.exr > cut.exr && mv cut.exr depth/d_0050.exr
if "$bin" farm submit --chunk 24 --work work2 --wait "${render[@]}" -o farm2.mkv 2> err.txt; then
  fail "--wait exited 0 with a failing chunk"
fi
grep -q "chunk 2 (frames 48-71)" err.txt || fail "the error does not name chunk 2: $(cat err.txt)"
[ ! -e farm2.mkv ] || fail "the assemble step ran after a failed chunk"
echo "farm e2e: slurm: a failing chunk exits non-zero: $(tail -1 err.txt | cut -c1-160)"
cp demo/depth.exr depth/d_0050.exr

# 3. Open Job Description: check and run the exported template.
template=$("$bin" farm export --engine openjd --chunk 24 --work ojd "${render[@]}" -o 'ojd_out/f_%06d.exr')
openjd check "$template" >/dev/null || fail "openjd check rejected $template"
openjd run "$template" --step Assemble --run-dependencies >openjd.log 2>&1 || { tail -20 openjd.log; fail "openjd run failed"; }
for f in single/f_*.exr; do
  cmp -s "$f" "ojd_out/f_${f#single/f_}" || fail "openjd frame ${f#single/f_} differs from the single render"
done
echo "farm e2e: openjd: template checked and run; 96 frames byte-identical to one render"
