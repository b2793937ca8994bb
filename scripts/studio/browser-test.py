#!/usr/bin/env python3
"""The studio in a real browser: headless Chromium driven through chromedriver's WebDriver API.

Starts `rackfocus studio` on the demo's plate and depth, opens the page, clicks the ball at 0 s,
moves the scrubber to 2 s with the pointer, clicks the figure, and checks that the plan gained
both marks and that `rackfocus plan` judges the rack "reads". Saves a screenshot.

Usage: browser-test.py RACKFOCUS_BINARY OUT_DIR
Needs Debian's chromium and chromium-driver; the standard library only (WebDriver is JSON over HTTP).
"""
import base64
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        text = r.read().decode()
    return json.loads(text) if text and text[0] in "[{" else text


class Browser:
    def __init__(self, driver):
        self.driver = driver
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000"]}}}}
        self.sid = call("POST", f"{driver}/session", caps)["value"]["sessionId"]
        self.base = f"{driver}/session/{self.sid}"

    def go(self, url):
        call("POST", f"{self.base}/url", {"url": url})

    def run(self, script, *args):
        return call("POST", f"{self.base}/execute/sync", {"script": script, "args": list(args)})["value"]

    def element(self, css):
        return call("POST", f"{self.base}/element", {"using": "css selector", "value": css})["value"]

    def rect(self, el):
        return call("GET", f"{self.base}/element/{el[ELEMENT]}/rect")["value"]

    def click(self, el, fx, fy):
        """A real pointer click at (fx, fy), 0-1 from the element's top-left."""
        r = self.rect(el)
        dx = round((fx - 0.5) * r["width"])
        dy = round((fy - 0.5) * r["height"])
        call("POST", f"{self.base}/actions", {"actions": [{"type": "pointer", "id": "mouse",
            "parameters": {"pointerType": "mouse"}, "actions": [
                {"type": "pointerMove", "origin": el, "x": dx, "y": dy, "duration": 0},
                {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]}]})
        call("DELETE", f"{self.base}/actions")

    def wait(self, script, what, seconds=60):
        end = time.time() + seconds
        while time.time() < end:
            value = self.run(script)
            if value:
                return value
            time.sleep(0.2)
        said = self.run("return document.getElementById('message').textContent")
        raise SystemExit(f"browser test: timed out waiting for {what}; the page says: {said!r}")

    def screenshot(self, path):
        png = call("GET", f"{self.base}/screenshot")["value"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def close(self):
        call("DELETE", self.base)


def log(*a):
    print("browser test:", *a, file=sys.stderr, flush=True)


def main():
    rackfocus, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    demo = os.path.join(out, "demo")
    if not os.path.exists(os.path.join(demo, "plate.mp4")):
        log("rendering the demo")
        subprocess.run([rackfocus, "demo", "-o", demo], check=True, stdout=subprocess.DEVNULL)
    port, driver_port = free_port(), free_port()
    studio = subprocess.Popen(
        [rackfocus, "studio", f"{demo}/plate.mp4", "--depth", f"{demo}/depth.exr",
         "--port", str(port), "--out", out], stdout=subprocess.PIPE, text=True)
    driver = subprocess.Popen(["chromedriver", f"--port={driver_port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    browser = None
    try:
        line = studio.stdout.readline()
        url = re.search(r"http://\S+", line)
        if not url:
            raise SystemExit(f"browser test: rackfocus studio printed {line!r}, not its URL")
        url = url.group(0)
        if not url.startswith("http://127.0.0.1:"):
            raise SystemExit(f"browser test: the studio should listen on loopback, it said {url}")
        for _ in range(100):
            try:
                call("GET", f"http://127.0.0.1:{driver_port}/status", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        log("studio at", url)
        browser = Browser(f"http://127.0.0.1:{driver_port}")
        log("browser session", browser.sid)
        browser.go(url)
        browser.wait("return document.body.dataset.ready === 'yes' && document.getElementById('frame').naturalWidth > 0",
                     "the page and its first frame")
        frame = browser.element("#frame")
        # The ball at 0 s (the demo plan places it at 0.27, 0.64).
        browser.run("document.getElementById('subject').value = 'ball'")
        browser.click(frame, 0.27, 0.64)
        browser.wait("return document.getElementById('yaml').value.includes('ball:')", "the ball's mark")
        # The scrubber to 2 s, with the pointer: its thumb travels the track less one thumb width.
        info = call("GET", f"{url}api/info")
        scrub = browser.element("#scrub")
        r = browser.rect(scrub)
        target = round(2 * info["fps"])
        thumb = 16 / r["width"]
        browser.click(scrub, thumb / 2 + (1 - thumb) * target / (info["frameCount"] - 1), 0.5)
        frame_now = browser.wait("return Number(document.getElementById('scrub').value) || null", "the scrubber")
        if abs(frame_now - target) > 2:
            raise SystemExit(f"browser test: the scrubber went to frame {frame_now}, not near {target}")
        browser.run("document.getElementById('subject').value = 'figure'")
        browser.click(frame, 0.68, 0.45)
        browser.wait("return document.getElementById('verdicts').textContent.includes('figure')", "the rack to the figure")
        time.sleep(1)
        browser.screenshot(os.path.join(out, "studio.png"))
        # The overlays draw: focus peaking marks the sharp figure's edges, false-colour depth the frame.
        for mode in ("peaking", "depth"):
            browser.run(f"const s = document.getElementById('overlayMode'); s.value = '{mode}'; "
                        "s.dispatchEvent(new Event('change'))")
            painted = browser.wait(
                "const c = document.getElementById('overlay'); if (!c.width) return null;"
                "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n > 100 ? n : null;",
                f"the {mode} overlay")
            browser.screenshot(os.path.join(out, f"studio-{mode}.png"))
            log(f"{mode} overlay: {painted} pixels painted")
        plan = call("GET", f"{url}api/plan")
        for subject in ("ball:", "figure:"):
            if subject not in plan:
                raise SystemExit(f"browser test: the plan lacks {subject}\n{plan}")
        saved = call("POST", f"{url}api/plan/save", {})["saved"]
        judged = subprocess.run([rackfocus, "plan", saved], check=True, capture_output=True, text=True).stdout
        if "reads" not in judged:
            raise SystemExit(f"browser test: rackfocus plan does not judge the rack as reading:\n{judged}")
        # Drag the rack's landing from 2 s to 2.5 s on the timeline, with the pointer.
        handle = browser.element('#timeline rect.handle[data-end="land"]')
        width = browser.rect(browser.element("#timeline"))["width"]
        dx = round(0.5 / (info["frameCount"] / info["fps"]) * width)
        call("POST", f"{browser.base}/actions", {"actions": [{"type": "pointer", "id": "mouse",
            "parameters": {"pointerType": "mouse"}, "actions": [
                {"type": "pointerMove", "origin": handle, "x": 0, "y": 0, "duration": 0},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerMove", "origin": "pointer", "x": dx, "y": 0, "duration": 200},
                {"type": "pointerUp", "button": 0}]}]})
        landed = browser.wait(
            "const v = document.getElementById('verdicts').textContent.match(/–([0-9.]+) s/); "
            "return v && Math.abs(Number(v[1]) - 2.5) < 0.05 ? v[1] : null", "the rack retimed by dragging")
        racks = call("GET", f"{url}api/info")["plan"]["racks"]
        if abs(racks[0]["landSeconds"] - 2.5) > 0.05:
            raise SystemExit(f"browser test: the dragged rack lands at {racks[0]['landSeconds']} s, not 2.5 s")
        log(f"rack dragged to land at {landed} s")
        print(f"browser test: ball at 0 s and figure at frame {frame_now} clicked in Chromium; "
              f"the plan reads; screenshot {os.path.join(out, 'studio.png')}")
        print(judged)
    finally:
        if browser:
            try:
                browser.close()
            except OSError:
                pass
        driver.terminate()
        studio.terminate()
        studio.wait(timeout=20)


if __name__ == "__main__":
    main()
