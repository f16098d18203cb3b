// Live tab: webcam frames → WebSocket → per-frame results drawn over the video (latest frame wins).
import { $, el, fillList, pretty, setStatus, toast } from "./common.js";

const MAX_IN_FLIGHT = 2;      // frames sent but not yet answered
const STALE_MS = 1000;        // an unanswered frame older than this no longer blocks sending
const JPEG_QUALITY = 0.7;

export function initLive(meta) {
  const video = $("live-video");
  const overlay = $("live-overlay");
  const capture = document.createElement("canvas");
  let stream = null, ws = null, ready = false, encoding = false;
  let sent = 0, answered = 0, last = null;
  const sendTimes = new Map();
  const resultTimes = [], camTimes = [], latencies = [];
  let statsTimer = null;

  const colour = (name) => (meta.colours && meta.colours[name]) || "#14b8a6";

  function inFlightBlocked() {
    if (sent - answered < MAX_IN_FLIGHT) return false;
    const oldest = sendTimes.get(answered + 1);
    return oldest !== undefined && performance.now() - oldest < STALE_MS;
  }

  let freshFrame = false;     // a camera frame not sent yet (never send the same frame twice)

  function sendFrame() {
    if (!freshFrame || !ready || encoding || !ws || ws.readyState !== WebSocket.OPEN || inFlightBlocked()) return;
    if (ws.bufferedAmount > 1 << 20) return;
    const w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) return;
    if (capture.width !== w) { capture.width = w; capture.height = h; }
    capture.getContext("2d").drawImage(video, 0, 0, w, h);
    freshFrame = false;
    encoding = true;
    capture.toBlob((blob) => {
      encoding = false;
      if (!blob || !ws || ws.readyState !== WebSocket.OPEN) return;
      ws.send(blob);
      sent += 1;
      sendTimes.set(sent, performance.now());
    }, "image/jpeg", JPEG_QUALITY);
  }

  function onVideoFrame(now) {
    if (!stream) return;
    camTimes.push(now);
    freshFrame = true;
    sendFrame();
    video.requestVideoFrameCallback(onVideoFrame);
  }

  function draw(msg) {
    const dpr = window.devicePixelRatio || 1;
    const cw = overlay.clientWidth, ch = overlay.clientHeight;
    overlay.width = Math.round(cw * dpr);
    overlay.height = Math.round(ch * dpr);
    const ctx = overlay.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cw, ch);
    if (!msg) return;
    const s = Math.min(cw / msg.width, ch / msg.height);
    const ox = (cw - msg.width * s) / 2, oy = (ch - msg.height * s) / 2;
    const X = (x) => ox + x * s, Y = (y) => oy + y * s;
    const c = colour(msg.exercise);
    for (const d of msg.detections || []) {
      const [x1, y1, x2, y2] = d.bbox;
      ctx.strokeStyle = c; ctx.lineWidth = 3;
      ctx.strokeRect(X(x1), Y(y1), (x2 - x1) * s, (y2 - y1) * s);
      const label = `${pretty(d.label)} ${Math.round(d.confidence * 100)}%`;
      ctx.font = "600 15px system-ui, sans-serif";
      const tw = ctx.measureText(label).width + 12;
      ctx.fillStyle = c; ctx.fillRect(X(x1), Math.max(0, Y(y1) - 24), tw, 24);
      ctx.fillStyle = "#fff"; ctx.fillText(label, X(x1) + 6, Math.max(17, Y(y1) - 7));
    }
    const lm = msg.landmarks;
    if (lm) {
      ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.9)";
      for (const [a, b] of meta.skeleton) {
        if (lm[a][2] < 0.5 || lm[b][2] < 0.5) continue;
        ctx.beginPath(); ctx.moveTo(X(lm[a][0]), Y(lm[a][1])); ctx.lineTo(X(lm[b][0]), Y(lm[b][1])); ctx.stroke();
      }
      ctx.fillStyle = c;
      for (const [x, y, v] of lm) {
        if (v < 0.5) continue;
        ctx.beginPath(); ctx.arc(X(x), Y(y), 4, 0, 2 * Math.PI); ctx.fill();
      }
    }
    // HUD: exercise and rep counter top-left, latest cue at the bottom
    ctx.fillStyle = "rgba(11,20,22,0.72)";
    ctx.fillRect(ox + 10, oy + 10, 200, 62);
    ctx.fillStyle = "#fff"; ctx.font = "700 30px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.fillText(String(msg.reps), ox + 40, oy + 46);
    ctx.font = "600 11px system-ui, sans-serif";
    ctx.fillStyle = "#9ee"; ctx.fillText("REPS", ox + 40, oy + 63);
    ctx.textAlign = "left";
    ctx.fillStyle = "#fff"; ctx.font = "600 15px system-ui, sans-serif";
    ctx.fillText(pretty(msg.exercise), ox + 76, oy + 36);
    ctx.fillStyle = "#9ee"; ctx.font = "500 13px system-ui, sans-serif";
    ctx.fillText(`${Math.round(msg.confidence * 100)}% confident`, ox + 76, oy + 56);
    if (msg.cue) {
      ctx.font = "600 17px system-ui, sans-serif";
      const tw = Math.min(cw - 20, ctx.measureText(msg.cue).width + 20);
      ctx.fillStyle = "rgba(15,118,110,0.9)";
      ctx.fillRect((cw - tw) / 2, oy + msg.height * s - 46, tw, 34);
      ctx.fillStyle = "#fff"; ctx.fillText(msg.cue, (cw - tw) / 2 + 10, oy + msg.height * s - 23, tw - 20);
    }
  }

  function clearReps() {
    $("live-rep-list").replaceChildren(el("li", { class: "muted", text: "No reps yet." }));
  }

  function addRep(r) {
    const list = $("live-rep-list");
    if (list.querySelector(".muted")) list.replaceChildren();
    const rom = r.rom_deg === null || r.rom_deg === undefined ? "" : ` · ${Math.round(r.rom_deg)}°`;
    const time = `${(r.eccentric_s ?? 0).toFixed(1)} s down / ${(r.concentric_s ?? 0).toFixed(1)} s up`;
    list.append(el("li", {}, el("span", { class: "meta", text: `${time}${rom}` }),
      ...(r.cues && r.cues.length ? [el("br"), r.cues.join("; ")] : [])));
    list.scrollTop = list.scrollHeight;
  }

  function trim(list, now, span = 1000) { while (list.length && list[0] < now - span) list.shift(); }

  function updateStats() {
    const now = performance.now();
    trim(resultTimes, now); trim(camTimes, now);
    $("live-fps").textContent = resultTimes.length;
    $("live-cam-fps").textContent = camTimes.length;
    if (latencies.length) {
      const sorted = [...latencies].sort((a, b) => a - b);
      $("live-latency").textContent = Math.round(sorted[Math.floor(sorted.length / 2)]);
    }
    document.body.dataset.liveFps = String(resultTimes.length);
  }

  function onMessage(event) {
    const msg = JSON.parse(event.data);
    if (msg.type === "frame") {
      const now = performance.now();
      answered = Math.max(answered, msg.frame);
      const t = sendTimes.get(msg.frame);
      if (t !== undefined) { latencies.push(now - t); if (latencies.length > 60) latencies.shift(); }
      for (const k of sendTimes.keys()) if (k <= msg.frame) sendTimes.delete(k);
      resultTimes.push(now);
      last = msg;
      $("live-ex").textContent = pretty(msg.exercise);
      $("live-reps").textContent = msg.reps;
      $("live-dropped").textContent = msg.dropped;
      if (msg.cue) $("live-cue").textContent = msg.cue;
      for (const r of msg.new_reps || []) {
        $("live-cue").textContent = (r.cues || [])[0] || `Rep ${r.index} ✓`;
        addRep(r);
      }
      if (msg.advice && msg.advice.length) fillList("live-advice", msg.advice);
      document.body.dataset.liveFrames = String(Number(document.body.dataset.liveFrames || 0) + 1);
      draw(msg);
      sendFrame();
    } else if (msg.type === "ready") {
      ready = true;
      setStatus("live-status", "Live: analysing your camera on this machine.");
      sendFrame();
    } else if (msg.type === "saved") {
      if (msg.set) toast(`Set saved: ${pretty(msg.set.exercise)}, ${msg.set.reps} reps.`);
      $("live-reps").textContent = "0";
      clearReps();
    } else if (msg.type === "error") {
      setStatus("live-status", msg.detail, true);
    }
  }

  async function start() {
    $("live-start").disabled = true;
    setStatus("live-status", "Starting the camera…");
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } }, audio: false,
      });
    } catch (e) {
      stream = null;
      $("live-start").disabled = false;
      setStatus("live-status", `Camera unavailable (${e.name}): allow camera access, and open the page on localhost or 127.0.0.1.`, true);
      return;
    }
    video.srcObject = stream;
    await video.play().catch(() => {});
    $("live-empty").hidden = true;
    sent = 0; answered = 0; sendTimes.clear(); latencies.length = 0; ready = false;
    clearReps();
    const ex = $("live-exercise").value;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/live${ex ? `?exercise=${encodeURIComponent(ex)}` : ""}`);
    ws.binaryType = "arraybuffer";
    ws.onmessage = onMessage;
    ws.onclose = (e) => {
      ready = false;
      if (stream) setStatus("live-status", e.reason || "Connection closed.", e.code !== 1000);
    };
    video.requestVideoFrameCallback(onVideoFrame);
    statsTimer = setInterval(updateStats, 500);
    $("live-stop").disabled = false;
    $("live-save").disabled = false;
  }

  function stop() {
    if (stream) for (const t of stream.getTracks()) t.stop();
    stream = null;
    if (ws) ws.close(1000);
    ws = null; ready = false; last = null;
    clearInterval(statsTimer);
    video.srcObject = null;
    draw(null);
    $("live-empty").hidden = false;
    $("live-start").disabled = false;
    $("live-stop").disabled = true;
    $("live-save").disabled = true;
    setStatus("live-status", "Stopped. The set was saved to the History tab if reps were counted.");
  }

  $("live-start").addEventListener("click", start);
  $("live-stop").addEventListener("click", stop);
  $("live-save").addEventListener("click", () => { if (ws && ready) ws.send(JSON.stringify({ type: "save" })); });
  $("live-exercise").addEventListener("change", () => {
    if (ws && ready) ws.send(JSON.stringify({ type: "exercise", exercise: $("live-exercise").value || null }));
  });
  window.addEventListener("resize", () => draw(last));
  return () => draw(last);
}
