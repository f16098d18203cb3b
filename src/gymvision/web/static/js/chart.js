// A small canvas line chart: the motion signal over time with shaded reps and boundaries.
export function drawSignal(canvas, signal, reps) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width;
  const h = canvas.clientHeight || canvas.height;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const pts = [];
  if (signal && signal.t) {
    signal.t.forEach((t, i) => { const v = signal.value[i]; if (v !== null && Number.isFinite(v)) pts.push([t, v]); });
  }
  ctx.font = "12px system-ui, sans-serif";
  if (!pts.length) {
    ctx.fillStyle = "#5d6b78";
    ctx.fillText("No motion signal (exercise not recognised or no person found).", 12, 24);
    return;
  }
  const pad = { l: 44, r: 10, t: 12, b: 24 };
  const t0 = Math.min(pts[0][0], ...reps.map((r) => r.start_s));
  const t1 = Math.max(pts[pts.length - 1][0], ...reps.map((r) => r.end_s));
  let vmin = Math.min(...pts.map((p) => p[1]));
  let vmax = Math.max(...pts.map((p) => p[1]));
  if (vmax - vmin < 1e-6) { vmin -= 1; vmax += 1; }
  const X = (t) => pad.l + ((t - t0) / Math.max(t1 - t0, 1e-6)) * (w - pad.l - pad.r);
  const Y = (v) => pad.t + (1 - (v - vmin) / (vmax - vmin)) * (h - pad.t - pad.b);
  // reps: shaded spans, boundaries, numbers
  reps.forEach((r, i) => {
    ctx.fillStyle = i % 2 ? "rgba(20,184,166,0.10)" : "rgba(20,184,166,0.18)";
    ctx.fillRect(X(r.start_s), pad.t, X(r.end_s) - X(r.start_s), h - pad.t - pad.b);
    ctx.strokeStyle = "rgba(15,118,110,0.7)";
    ctx.setLineDash([4, 3]);
    for (const t of [r.start_s, r.end_s]) { ctx.beginPath(); ctx.moveTo(X(t), pad.t); ctx.lineTo(X(t), h - pad.b); ctx.stroke(); }
    ctx.setLineDash([]);
    ctx.fillStyle = "#0f766e";
    ctx.fillText(String(r.index), (X(r.start_s) + X(r.end_s)) / 2 - 3, pad.t + 12);
  });
  // axes
  ctx.strokeStyle = "#dde3e8";
  ctx.beginPath(); ctx.moveTo(pad.l, h - pad.b); ctx.lineTo(w - pad.r, h - pad.b); ctx.stroke();
  ctx.fillStyle = "#5d6b78";
  const step = Math.max(1, Math.ceil((t1 - t0) / 10));
  for (let t = Math.ceil(t0); t <= t1; t += step) ctx.fillText(`${t}s`, X(t) - 6, h - 7);
  ctx.fillText(vmax.toFixed(0), 4, pad.t + 8);
  ctx.fillText(vmin.toFixed(0), 4, h - pad.b);
  // signal
  ctx.strokeStyle = "#17202a";
  ctx.lineWidth = 1.6;
  ctx.beginPath();
  pts.forEach(([t, v], i) => (i ? ctx.lineTo(X(t), Y(v)) : ctx.moveTo(X(t), Y(v))));
  ctx.stroke();
}
