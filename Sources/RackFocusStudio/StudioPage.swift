/// The studio's page, compiled into the binary: plain HTML, CSS and JavaScript, no build step,
/// nothing fetched from elsewhere.
enum StudioPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>RackFocus Studio</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="stylesheet" href="/studio.css">
        </head>
        <body>
        <header>
          <strong>RackFocus Studio</strong> <span id="clip"></span>
          <span class="lens">
            <label>Focal <input id="focal" size="6"></label>
            <label>Stop <input id="stop" size="4"></label>
            <label>Sensor <select id="sensor">
              <option>fullframe</option><option>super35</option><option>apsc</option><option>mft</option>
              <option>twothirds</option><option>lf65</option><option>phone</option></select></label>
          </span>
        </header>
        <main>
          <section id="viewer">
            <div id="stage"><img id="frame" alt="frame"><canvas id="overlay"></canvas><div id="dof"></div></div>
            <div id="transport">
              <button id="play" title="Play / pause (space)">▶</button>
              <input id="scrub" type="range" min="0" value="0">
              <span id="timecode">00:00:00:00</span>
              <span id="focusText"></span>
              <label>Overlay <select id="overlayMode"><option value="none">none</option>
                <option value="peaking">focus peaking</option><option value="depth">false-colour depth</option></select></label>
            </div>
            <svg id="timeline" height="150"></svg>
          </section>
          <aside>
            <h3>Click a subject</h3>
            <p class="hint">Clicking the frame puts focus on what is under the cursor at this frame: a mark at the first frame, a rack landing here later.</p>
            <label>Subject name <input id="subject" placeholder="auto" size="12"></label>
            <label>Curve <select id="curve"><option>landing</option><option>ease-in-out</option><option>linear</option>
              <option>ease-in</option><option>ease-out</option></select></label>
            <h3>Will it read?</h3>
            <ul id="verdicts"></ul>
            <h3>Plan</h3>
            <div class="buttons">
              <a id="export" href="/api/plan" download="plan.yaml">Export plan</a>
              <button id="save">Save plan</button>
            </div>
            <textarea id="yaml" spellcheck="false"></textarea>
            <button id="apply">Apply YAML</button>
            <h3>Render the clip</h3>
            <label>Output <input id="output" size="22"></label>
            <button id="render">Render</button>
            <progress id="progress" max="1" value="0"></progress>
            <div id="renderText"></div>
            <pre id="message"></pre>
          </aside>
        </main>
        <script src="/studio.js"></script>
        </body>
        </html>

        """#

    static let style = #"""
        body { margin: 0; font: 14px system-ui, sans-serif; background: #1b1d21; color: #dde; }
        header { padding: 8px 12px; background: #111; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
        header .lens { margin-left: auto; display: flex; gap: 10px; }
        main { display: flex; gap: 12px; padding: 12px; }
        #viewer { flex: 1; min-width: 0; }
        #stage { position: relative; background: #000; line-height: 0; }
        #frame { width: 100%; cursor: crosshair; display: block; }
        #overlay { position: absolute; left: 0; top: 0; width: 100%; height: 100%; pointer-events: none; }
        #dof { position: absolute; padding: 3px 6px; background: rgba(0,0,0,.7); line-height: 1.3; display: none; pointer-events: none; }
        #transport { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
        #scrub { flex: 1; }
        #timecode { font-family: monospace; }
        #timeline { width: 100%; background: #15171a; border: 1px solid #333; }
        aside { width: 330px; display: flex; flex-direction: column; gap: 6px; }
        aside h3 { margin: 10px 0 2px; font-size: 14px; color: #9bd; }
        .hint { color: #889; margin: 0; }
        #yaml { height: 180px; font: 12px monospace; background: #111; color: #dde; border: 1px solid #333; }
        #message { white-space: pre-wrap; color: #f99; min-height: 1em; margin: 0; }
        #verdicts { margin: 0; padding-left: 18px; }
        .reads { color: #8d8; } .subtle { color: #dd8; } .invisible { color: #f88; }
        .buttons { display: flex; gap: 8px; align-items: center; }
        a, button { color: #dde; background: #2c3038; border: 1px solid #444; padding: 3px 8px; text-decoration: none; cursor: pointer; }
        input, select { background: #111; color: #dde; border: 1px solid #444; }
        .rack { fill: rgba(120,170,255,.35); } .handle { fill: #8af; cursor: ew-resize; }
        .mark { stroke: #fd6; } .playhead { stroke: #f55; } .curveLine { fill: none; stroke: #8d8; stroke-width: 1.5; }
        .axis { fill: #889; font-size: 10px; }

        """#

    static let script = #"""
        "use strict";
        const $ = (id) => document.getElementById(id);
        let info = null, report = null, focusMeters = [], frame = 0, playing = false;

        async function api(method, path, body, raw) {
          const options = { method, headers: {} };
          if (body !== undefined) {
            options.body = raw ? body : JSON.stringify(body);
            options.headers["Content-Type"] = raw ? "text/yaml" : "application/json";
          }
          const response = await fetch(path, options);
          const text = await response.text();
          let data = text;
          try { data = JSON.parse(text); } catch (e) { /* YAML or text */ }
          if (!response.ok) {
            const issues = data && data.issues ? "\n" + data.issues.map((i) => i.text).join("\n") : "";
            $("message").textContent = ((data && data.error) || text) + issues;
            throw new Error(data && data.error ? data.error : text);
          }
          $("message").textContent = "";
          return data;
        }

        function pad(v) { return String(v).padStart(2, "0"); }
        function timecode(n) {
          const fps = Math.round(info.fps), s = Math.floor(n / fps), f = n - s * fps;
          return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60) + ":" + pad(f);
        }
        function metres(m) { return m === null || m === undefined || !isFinite(m) ? "∞" : (m < 10 ? m.toFixed(2) : m.toFixed(1)) + " m"; }

        // Frames: one request in flight; while it renders, later asks collapse into the newest, so
        // scrubbing never queues stale frames. Previews while scrubbing or playing, final when paused.
        let inflight = false, queued = null;
        function showFrame(quality) {
          return new Promise((resolve) => {
            queued = { quality, waiting: [resolve].concat(queued ? queued.waiting : []) };
            pump();
          });
        }
        function pump() {
          if (inflight || !queued) return;
          const job = queued;
          queued = null;
          inflight = true;
          const img = new Image();
          const done = () => { inflight = false; job.waiting.forEach((r) => r()); pump(); };
          img.onload = () => { $("frame").src = img.src; drawOverlay(); done(); };
          img.onerror = done;
          img.src = "/api/frame/" + frame + ".jpg?quality=" + job.quality;
        }

        function setFrame(n, quality) {
          frame = Math.max(0, Math.min(info.frameCount - 1, n));
          $("scrub").value = frame;
          $("timecode").textContent = timecode(frame);
          $("focusText").textContent = "focus " + metres(focusMeters[frame]);
          drawTimeline();
          return showFrame(quality);
        }

        async function play() {
          playing = !playing;
          $("play").textContent = playing ? "❚❚" : "▶";
          while (playing) {
            const t0 = performance.now();
            if (frame >= info.frameCount - 1) frame = -1;
            await setFrame(frame + 1, "preview");
            const wait = 1000 / info.fps - (performance.now() - t0);
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          setFrame(frame, "final");
        }

        // Overlays: focus peaking from the shown frame's edges; false-colour depth from the server.
        function drawOverlay() {
          const canvas = $("overlay"), img = $("frame"), mode = $("overlayMode").value;
          const ctx = canvas.getContext("2d");
          canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
          ctx.clearRect(0, 0, canvas.width, canvas.height);
          if (mode === "peaking" && img.naturalWidth) {
            const w = img.naturalWidth, h = img.naturalHeight;
            const scratch = document.createElement("canvas");
            scratch.width = w; scratch.height = h;
            const sctx = scratch.getContext("2d");
            sctx.drawImage(img, 0, 0);
            const src = sctx.getImageData(0, 0, w, h).data, out = ctx.createImageData(w, h);
            const luma = (i) => 0.2126 * src[i] + 0.7152 * src[i + 1] + 0.0722 * src[i + 2];
            for (let y = 1; y < h - 1; y++) {
              for (let x = 1; x < w - 1; x++) {
                const i = 4 * (y * w + x);
                const gx = luma(i + 4) - luma(i - 4), gy = luma(i + 4 * w) - luma(i - 4 * w);
                if (gx * gx + gy * gy > 1600) { out.data[i] = 255; out.data[i + 1] = 40; out.data[i + 2] = 40; out.data[i + 3] = 255; }
              }
            }
            ctx.putImageData(out, 0, 0);
          } else if (mode === "depth") {
            const depth = new Image();
            depth.onload = () => { canvas.width = depth.width; canvas.height = depth.height; ctx.globalAlpha = 0.75; ctx.drawImage(depth, 0, 0); };
            depth.src = "/api/depthmap/" + frame + ".jpg";
          }
        }

        // The timeline: focus (dioptres) over time, racks as bars with draggable ends, the playhead.
        function drawTimeline(dragged) {
          const svg = $("timeline"), W = svg.clientWidth || 800, H = 150, top = 10, bottom = 120;
          const duration = info.frameCount / info.fps;
          const tx = (t) => (t / duration) * W;
          const dioptres = focusMeters.map((m) => (isFinite(m) && m > 0 ? 1 / m : 0));
          const maxD = Math.max(0.05, ...dioptres) * 1.1;
          const ty = (d) => bottom - (d / maxD) * (bottom - top);
          let s = "";
          for (const r of (report ? report.racks : [])) {
            const moved = dragged && dragged.entry === r.entry;
            const x0 = tx(moved ? dragged.start : r.startSeconds), x1 = tx(moved ? dragged.land : r.landSeconds);
            s += `<rect class="rack" data-entry="${r.entry}" x="${x0}" y="${top}" width="${Math.max(1, x1 - x0)}" height="${bottom - top}"></rect>`;
            s += `<rect class="handle" data-entry="${r.entry}" data-end="start" x="${x0 - 3}" y="${top}" width="6" height="${bottom - top}"></rect>`;
            s += `<rect class="handle" data-entry="${r.entry}" data-end="land" x="${x1 - 3}" y="${top}" width="6" height="${bottom - top}"></rect>`;
            s += `<text class="axis" x="${x0 + 4}" y="${top + 12}">${r.from} → ${r.to} (${r.curve})</text>`;
          }
          for (const m of (report ? report.marks : [])) s += `<line class="mark" x1="${tx(m.seconds)}" x2="${tx(m.seconds)}" y1="${top}" y2="${bottom}"></line>`;
          const points = dioptres.map((d, i) => `${tx(i / info.fps)},${ty(d)}`).join(" ");
          s += `<polyline class="curveLine" points="${points}"></polyline>`;
          s += `<line class="playhead" x1="${tx(frame / info.fps)}" x2="${tx(frame / info.fps)}" y1="0" y2="${H}"></line>`;
          for (let t = 0; t <= duration; t += Math.max(1, Math.round(duration / 10))) s += `<text class="axis" x="${tx(t) + 2}" y="${H - 14}">${t}s</text>`;
          s += `<text class="axis" x="4" y="${H - 2}">focus in dioptres (1/m), higher = nearer; drag a rack's ends to retime it, double-click it for the curve picked</text>`;
          svg.innerHTML = s;
        }

        function timelineSeconds(event) {
          const rect = $("timeline").getBoundingClientRect();
          return Math.max(0, Math.min(1, (event.clientX - rect.left) / rect.width)) * info.frameCount / info.fps;
        }

        function installTimeline() {
          const svg = $("timeline");
          let drag = null;
          svg.addEventListener("mousedown", (e) => {
            const h = e.target.closest(".handle");
            if (h) {
              const r = report.racks.find((x) => x.entry === Number(h.dataset.entry));
              drag = { entry: r.entry, end: h.dataset.end, start: r.startSeconds, land: r.landSeconds, curve: r.curve };
            } else {
              setFrame(Math.round(timelineSeconds(e) * info.fps), "final");
            }
          });
          window.addEventListener("mousemove", (e) => {
            if (!drag) return;
            const t = timelineSeconds(e);
            if (drag.end === "start") drag.start = Math.min(t, drag.land - 1 / info.fps); else drag.land = Math.max(t, drag.start + 1 / info.fps);
            drawTimeline(drag);
          });
          svg.addEventListener("dblclick", async (e) => {
            const bar = e.target.closest(".rack");
            if (!bar) return;
            const r = report.racks.find((x) => x.entry === Number(bar.dataset.entry));
            try { applyPlan(await api("PUT", "/api/racks/" + r.entry, { start: r.startSeconds, end: r.landSeconds, curve: $("curve").value })); } catch (err) {}
          });
          window.addEventListener("mouseup", async () => {
            if (!drag) return;
            const d = drag; drag = null;
            try { applyPlan(await api("PUT", "/api/racks/" + d.entry, { start: d.start, end: d.land, curve: d.curve })); } catch (e) { drawTimeline(); }
          });
        }

        function applyPlan(answer) {
          report = answer.plan;
          focusMeters = answer.focusMeters;
          if (answer.yaml !== undefined) $("yaml").value = answer.yaml;
          const list = $("verdicts");
          list.innerHTML = "";
          for (const r of report.racks) {
            const li = document.createElement("li");
            li.className = r.verdict;
            li.textContent = `${r.from} → ${r.to} at ${r.startSeconds.toFixed(2)}–${r.landSeconds.toFixed(2)} s: ${r.verdict} (${r.visibilityPx.toFixed(1)} px)` + (r.advice.length ? " — " + r.advice.join(" ") : "");
            list.appendChild(li);
          }
          if (!report.racks.length) list.innerHTML = "<li>no rack yet: click a subject, move in time, click another</li>";
          $("focal").value = report.camera.focalLengthMM + "mm";
          $("stop").value = report.camera.stop.replace(/^f\//, "");
          setFrame(frame, "final");
        }

        async function clickFrame(event) {
          const img = $("frame"), rect = img.getBoundingClientRect();
          const x = (event.clientX - rect.left) / rect.width, y = (event.clientY - rect.top) / rect.height;
          const depth = await api("GET", `/api/depth/${frame}?x=${x.toFixed(4)}&y=${y.toFixed(4)}`);
          const box = $("dof");
          box.style.left = (event.clientX - rect.left + 10) + "px"; box.style.top = (event.clientY - rect.top + 10) + "px";
          box.style.display = "block";
          box.textContent = `${metres(depth.meters)} · sharp ${metres(depth.nearMeters)} – ${metres(depth.farMeters)}`;
          const mark = { frame, x, y, curve: $("curve").value };
          if ($("subject").value.trim()) mark.subject = $("subject").value.trim();
          applyPlan(await api("POST", "/api/marks", mark));
          $("subject").value = "";
        }

        async function setLens() {
          applyPlan(await api("PUT", "/api/lens", { focalLength: $("focal").value, stop: $("stop").value, sensor: $("sensor").value }));
        }

        async function render() {
          const output = $("output").value.trim();
          await api("POST", "/api/render", output ? { output } : {});
          for (;;) {
            const s = await api("GET", "/api/render");
            $("progress").value = s.total ? s.done / s.total : 0;
            $("renderText").textContent = s.state === "running" ? `frame ${s.done} of ${s.total}` :
              s.state === "done" ? `rendered ${s.done} frames → ${s.output} (${(s.fps || 0).toFixed(1)} fps)` : (s.error || s.state);
            if (s.state !== "running") break;
            await new Promise((r) => setTimeout(r, 500));
          }
        }

        async function start() {
          info = await api("GET", "/api/info");
          $("clip").textContent = `${info.clip} · ${info.width}×${info.height} · ${info.frameCount} frames at ${info.fpsText} fps`;
          $("scrub").max = info.frameCount - 1;
          $("sensor").value = info.lens.sensor;
          $("output").value = info.renderName;
          $("yaml").value = await api("GET", "/api/plan");
          applyPlan({ plan: info.plan, focusMeters: info.focusMeters });
          $("frame").addEventListener("click", (e) => clickFrame(e).catch(() => {}));
          $("scrub").addEventListener("input", () => setFrame(Number($("scrub").value), "preview"));
          $("scrub").addEventListener("change", () => setFrame(Number($("scrub").value), "final"));
          $("play").addEventListener("click", play);
          $("overlayMode").addEventListener("change", drawOverlay);
          for (const id of ["focal", "stop", "sensor"]) $(id).addEventListener("change", () => setLens().catch(() => {}));
          $("apply").addEventListener("click", async () => { try { applyPlan(await api("PUT", "/api/plan", $("yaml").value, true)); } catch (e) {} });
          $("save").addEventListener("click", async () => { try { const r = await api("POST", "/api/plan/save"); $("renderText").textContent = "saved " + r.saved; } catch (e) {} });
          $("render").addEventListener("click", () => render().catch(() => {}));
          document.addEventListener("keydown", (e) => {
            if (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA") return;
            if (e.key === " ") { e.preventDefault(); play(); }
            if (e.key === "ArrowRight") setFrame(frame + 1, "final");
            if (e.key === "ArrowLeft") setFrame(frame - 1, "final");
          });
          window.addEventListener("resize", drawTimeline);
          installTimeline();
          document.body.dataset.ready = "yes";
        }

        start().catch((e) => { $("message").textContent = "could not start: " + e.message; });

        """#
}
