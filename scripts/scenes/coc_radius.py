#!/usr/bin/env python3
"""Writes, for a depth EXR, the depth Blender's Defocus node must be given (in its Z-buffer mode, with
the node's f-stop NODE_FSTOP, the lens and focus set on its camera) so that its blur radius is the
thin-lens one: c(d) = (f/N)·f·(d − s)/(d·s), in pixels of a 36 mm-wide frame (the engine's formula).
The node's own radius, 0.5·|a·(k·(1/s − 1/z) − 1)| with a = 0.5·f/(aspect·36 mm)/F and
k = 2·min(w, h)·f/36 mm (Blender 3.4, ConvertDepthToRadiusOperation), is inverted for z, keeping
depth order (near side: the − branch, far side: the +).
Usage: coc_radius.py DEPTH.exr FOCAL_MM STOP FOCUS_M OUT.exr [NODE_FSTOP]"""
import sys
import numpy as np
import OpenEXR, Imath

depth_path, focal, stop, focus, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
node_fstop = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0
f = OpenEXR.InputFile(depth_path)
dw = f.header()["dataWindow"]
W, H = dw.max.x - dw.min.x + 1, dw.max.y - dw.min.y + 1
names = list(f.header()["channels"].keys())
name = next(n for n in ("Z", "depth.Z", "depth.V", "Y", "R") if n in names)
d = np.frombuffer(f.channel(name, Imath.PixelType(Imath.PixelType.FLOAT)), dtype=np.float32).reshape(H, W)
signed = (focal / stop) * focal * (d - focus) / (d * focus) / 1000.0 * W / 36.0 / 2  # radius, px
aspect = min(W, H) / max(W, H)
a = 0.5 * (focal / (aspect * 36.0)) / node_fstop
k = 2 * min(W, H) * focal / 36.0
inv = 1 / focus - (1 + 2 * signed / a) / k
inv = np.maximum(inv, 1e-6)  # beyond the node's reach: as far as it can be
z = (1 / inv).astype(np.float32).tobytes()
hdr = OpenEXR.Header(W, H)
hdr["channels"] = {c: Imath.Channel(Imath.PixelType(Imath.PixelType.FLOAT)) for c in "RGB"}
o = OpenEXR.OutputFile(out, hdr)
o.writePixels({"R": z, "G": z, "B": z})
o.close()
print(float(np.abs(signed).max()))
