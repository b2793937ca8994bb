#!/usr/bin/env python3
"""Writes the EXR fixtures the tests cannot make themselves.

OpenEXR 3.1's C library (the one RackFocus links) neither writes nor decodes DWAA, so the DWAA
test file comes from the C++ library through PyPI's OpenEXR package:

    pip install OpenEXR numpy && python3 scripts/make-exr-fixtures.py

The pixel values follow the formula in EXRTests.dwaaIsReadThroughFFmpegWithoutClamping.
"""
import os

import numpy as np
import OpenEXR

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "Fixtures")


def main():
    h, w = 23, 37
    i = np.arange(h * w).reshape(h, w)
    r = ((i * 37 + 101) % 997) / 996 * 4  # 0-4: display white is 1
    channels = {
        "R": r.astype("float16"),
        "G": (r * 2).astype("float16"),
        "B": (r * 3).astype("float16"),
        "A": np.ones((h, w), "float16"),
    }
    header = {"compression": OpenEXR.DWAA_COMPRESSION, "type": OpenEXR.scanlineimage}
    with OpenEXR.File(header, channels) as f:
        f.write(os.path.join(OUT, "dwaa-rgba.exr"))


if __name__ == "__main__":
    main()
