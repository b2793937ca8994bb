#!/usr/bin/env python3
"""The studio's preview round trip on a 1080p source: time from request to the last byte of
`GET /api/frame/N.jpg?quality=preview&focus=D` over loopback, for frames and focus distances not
rendered before (cache misses), the same requests again (hits), and final-quality frames.

Usage: bench-preview.py RACKFOCUS_BINARY WORK_DIR [--threads N]
Makes a 1080p H.264 clip from the built-in demo (ffmpeg's scale, CRF 18) and uses the demo's depth.
"""
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request


def get(url):
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        body = r.read()
        cache = r.headers.get("X-Cache")
        parts = dict((k.strip(), float(v)) for k, v in re.findall(r"(\w+);dur=([\d.]+)", r.headers.get("Server-Timing", "")))
    SERVER.append(parts)
    return (time.perf_counter() - t0) * 1000, len(body), cache


SERVER = []


def summary(name, times):
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
    print(f"{name:<34} median {statistics.median(times):7.1f} ms   p90 {p90:7.1f} ms   max {times[-1]:7.1f} ms   ({len(times)} requests)")
    return statistics.median(times)


def main():
    rackfocus, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    extra = sys.argv[3:]
    os.makedirs(work, exist_ok=True)
    demo = os.path.join(work, "demo")
    if not os.path.exists(os.path.join(demo, "plate.mp4")):
        subprocess.run([rackfocus, "demo", "-o", demo], check=True, stdout=subprocess.DEVNULL)
    clip = os.path.join(work, "plate1080.mp4")
    if not os.path.exists(clip):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", f"{demo}/plate.mp4", "-vf", "scale=1920:1080:flags=lanczos",
                        "-c:v", "libx264", "-crf", "18", "-pix_fmt", "yuv420p", clip], check=True)
    t0 = time.perf_counter()
    studio = subprocess.Popen([rackfocus, "studio", clip, "--depth", f"{demo}/depth.exr", "--depth-still",
                               "--port", "0", "--out", work] + extra, stdout=subprocess.PIPE, text=True)
    try:
        line = studio.stdout.readline()
        url = re.search(r"http://\S+", line).group(0)
        ready = time.perf_counter() - t0
        with open(f"/proc/{studio.pid}/status") as f:
            rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024 / 1024
        print(f"1080p source, 84 frames: studio ready in {ready:.1f} s (decoding every frame), resident {rss:.2f} GB")
        get(f"{url}api/frame/0.jpg?quality=preview")  # warm-up: first-use allocations
        misses, hits, finals = [], [], []
        requests = [(k * 7 % 84, 1.2 + 0.37 * k) for k in range(1, 25)]
        SERVER.clear()
        for n, focus in requests:
            ms, size, cache = get(f"{url}api/frame/{n}.jpg?quality=preview&focus={focus:.2f}m")
            assert cache == "miss", cache
            misses.append(ms)
        parts = {k: statistics.median(p[k] for p in SERVER) for k in ("read", "render", "jpeg")}
        for n, focus in requests:
            ms, size, cache = get(f"{url}api/frame/{n}.jpg?quality=preview&focus={focus:.2f}m")
            assert cache == "hit", cache
            hits.append(ms)
        for n, focus in requests[:6]:
            ms, size, cache = get(f"{url}api/frame/{n}.jpg?quality=final&focus={focus:.2f}m")
            finals.append(ms)
        median = summary("preview 960x540, not cached", misses)
        print(f"{'  of which (server, median)':<34} read {parts['read']:.1f} ms, render {parts['render']:.1f} ms, "
              f"JPEG {parts['jpeg']:.1f} ms; the rest is HTTP and the client")
        summary("preview, cached", hits)
        summary("final 1920x1080, not cached", finals)
        print(f"preview round trip: median {median:.0f} ms against a target of 150 ms "
              f"({'met' if median <= 150 else 'NOT met'})")
    finally:
        studio.terminate()
        studio.wait(timeout=30)


if __name__ == "__main__":
    main()
