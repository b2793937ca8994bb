#!/usr/bin/env python3
"""Makes a depth map look like a monocular network's output, to measure `--refine-depth`.

A network sees the frame at about 518 px on its short side and its features are 14 px patches,
so its depth edges are soft over several frame pixels. This takes a true planar-Z map (PFM or
EXR, metres), and in inverse depth (where blur is linear) area-averages it down by FACTOR,
blurs it with a Gaussian of SIGMA low-resolution pixels, and scales it back up bilinearly.

    python3 scripts/scenes/degrade-depth.py DEPTH OUT.pfm [--factor 4] [--sigma 1]
"""
import argparse
import sys

import numpy as np


def read(path):
    if path.lower().endswith(".pfm"):
        with open(path, "rb") as f:
            kind = f.readline().strip()
            w, h = (int(v) for v in f.readline().split())
            scale = float(f.readline())
            data = np.frombuffer(f.read(), dtype="<f4" if scale < 0 else ">f4")
            c = 3 if kind == b"PF" else 1
            return np.flipud(data.reshape(h, w, c)[:, :, 0]).astype(np.float64)
    import OpenEXR
    with OpenEXR.File(path) as f:
        ch = f.channels()
        for name in ("Z", "depth.Z", "depth.V", "Y", "R", "V", "RGB"):
            if name in ch:
                px = np.asarray(ch[name].pixels, dtype=np.float64)
                return px[:, :, 0] if px.ndim == 3 else px
    sys.exit(f"{path}: no depth channel")


def write_pfm(path, d):
    h, w = d.shape
    with open(path, "wb") as f:
        f.write(b"Pf\n%d %d\n-1.0\n" % (w, h))
        f.write(np.flipud(d).astype("<f4").tobytes())


def gaussian(img, sigma):
    r = max(1, int(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    pad = np.pad(img, r, mode="edge")
    tmp = sum(k[i] * pad[:, i:i + img.shape[1] + 0 * r][r:-r or None] for i in range(2 * r + 1))
    pad = np.pad(tmp, ((r, r), (0, 0)), mode="edge")
    return sum(k[i] * pad[i:i + img.shape[0]] for i in range(2 * r + 1))


def bilinear(img, h, w):
    sh, sw = img.shape
    ys = np.clip((np.arange(h) + 0.5) * sh / h - 0.5, 0, sh - 1)
    xs = np.clip((np.arange(w) + 0.5) * sw / w - 0.5, 0, sw - 1)
    y0 = np.minimum(ys.astype(int), sh - 1); y1 = np.minimum(y0 + 1, sh - 1); ty = (ys - y0)[:, None]
    x0 = np.minimum(xs.astype(int), sw - 1); x1 = np.minimum(x0 + 1, sw - 1); tx = (xs - x0)[None, :]
    top = img[y0][:, x0] * (1 - tx) + img[y0][:, x1] * tx
    bot = img[y1][:, x0] * (1 - tx) + img[y1][:, x1] * tx
    return top * (1 - ty) + bot * ty


def main():
    p = argparse.ArgumentParser()
    p.add_argument("depth")
    p.add_argument("out")
    p.add_argument("--factor", type=int, default=4)
    p.add_argument("--sigma", type=float, default=1.0)
    a = p.parse_args()
    d = read(a.depth)
    h, w = d.shape
    inv = 1 / np.maximum(d, 1e-6)
    f = a.factor
    hh, ww = h // f, w // f
    small = inv[:hh * f, :ww * f].reshape(hh, f, ww, f).mean(axis=(1, 3))
    small = gaussian(small, a.sigma)
    write_pfm(a.out, 1 / bilinear(small, h, w))
    print(f"{a.out}: {w}x{h}, inverse depth averaged over {f}x{f}, blurred sigma {a.sigma}, scaled back")


if __name__ == "__main__":
    main()
