#!/usr/bin/env bash
# Installs ONNX Runtime's C library for `rackfocus depth` and `--depth-model`: fetches the pinned
# `onnxruntime` wheel from PyPI with pip (the library inside needs only glibc and libstdc++) and
# extracts libonnxruntime.so.* into DIR, where rackfocus looks by default:
#   ${XDG_DATA_HOME:-~/.local/share}/rackfocus/onnxruntime
# RACKFOCUS_ONNXRUNTIME (the library file or its folder) points rackfocus anywhere else.
# Usage: scripts/install-onnxruntime.sh [DIR]
set -euo pipefail
VERSION=1.32.0
DIR=${1:-${XDG_DATA_HOME:-$HOME/.local/share}/rackfocus/onnxruntime}
if ls "$DIR"/libonnxruntime.so."$VERSION" >/dev/null 2>&1; then
  echo "install-onnxruntime: $DIR/libonnxruntime.so.$VERSION is already there"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "install-onnxruntime: needs python3 with pip (apt-get install python3-pip)" >&2; exit 1; }
python3 -m pip --version >/dev/null 2>&1 || { echo "install-onnxruntime: needs pip (apt-get install python3-pip)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The library does not depend on the Python version: ask for one fixed wheel, whatever python3 is.
python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
  --platform manylinux_2_28_x86_64 --dest "$work" "onnxruntime==$VERSION"
wheel=$(ls "$work"/onnxruntime-"$VERSION"-*.whl)
mkdir -p "$DIR"
python3 - "$wheel" "$DIR" "$VERSION" <<'PY'
import os, sys, zipfile
wheel, target, version = sys.argv[1:]
name = f"libonnxruntime.so.{version}"
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith("/capi/" + name))
    tmp = os.path.join(target, name + ".part")
    with z.open(member) as src, open(tmp, "wb") as dst:
        dst.write(src.read())
    os.replace(tmp, os.path.join(target, name))
PY
ln -sf "libonnxruntime.so.$VERSION" "$DIR/libonnxruntime.so"
echo "install-onnxruntime: ONNX Runtime $VERSION → $DIR/libonnxruntime.so.$VERSION"
