#!/usr/bin/env bash
# Seconds per 1080p frame of depth estimation with the Depth Anything V2 Small architecture
# (24.8 M parameters, random weights: speed does not depend on their values), on 1 thread and all.
# Exports the model once with PyPI's torch and transformers into a private virtualenv.
# Usage: scripts/bench-depth-model.sh [RUNS]     (needs network access to PyPI the first time)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
work=${RACKFOCUS_BENCH_DIR:-$HOME/.cache/rackfocus-bench}
mkdir -p "$work"
model=$work/da2-small-random-518x924.onnx
if [ ! -f "$model" ]; then
  [ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q torch transformers onnx onnxscript
  "$work/venv/bin/python" scripts/export-depth-model.py --random --size 518x924 -o "$model"
fi
bin=.build/release/rackfocus
[ -x "$bin" ] || swift build -c release -Xswiftc -enable-testing --product rackfocus
"$bin" bench --depth-model "$model" --runs "$runs"
