// Video tab: upload with progress, poll the job, then the annotated video, rep table and chart.
import { $, api, el, deg, fillList, secs, setStatus, setupDrop, showVerdict, toast } from "./common.js";
import { drawSignal } from "./chart.js";

let current = null;

function upload(file, exercise) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const form = new FormData();
    form.append("file", file);
    if (exercise) form.append("exercise", exercise);
    xhr.open("POST", "/api/analyze");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      $("upload-progress").value = e.loaded / e.total;
      $("upload-pct").textContent = `${Math.round((100 * e.loaded) / e.total)} %`;
    };
    xhr.onload = () => {
      const body = xhr.response || {};
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new Error(body.detail || `upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error("upload failed: the server could not be reached"));
    xhr.send(form);
  });
}

async function poll(jobId, token) {
  for (;;) {
    if (token !== current) return null;
    const res = await fetch(`/api/jobs/${encodeURIComponent(jobId)}`, { credentials: "same-origin" });
    const job = await res.json();
    if (!res.ok) throw new Error(job.detail || "job lost");
    $("process-progress").value = job.progress;
    $("process-pct").textContent = job.status === "queued"
      ? `queued${job.queue_position ? ` (#${job.queue_position + 1})` : ""}` : `${Math.round(job.progress * 100)} %`;
    if (job.status === "done") return job.result;
    if (job.status === "failed") throw new Error(job.error || "analysis failed");
    await new Promise((r) => setTimeout(r, 500));
  }
}

function show(r) {
  $("video-result").hidden = false;
  $("video-details").hidden = false;
  const player = $("video-player");
  if (r.annotated_url) player.src = r.annotated_url;
  showVerdict("video", r);
  $("video-reps").textContent = r.reps ?? 0;
  fillList("video-advice", r.advice);
  $("video-reps-body").replaceChildren(...(r.rep_events || []).map((e) => el("tr", {},
    el("td", { text: e.index }), el("td", { class: "num", text: secs(e.start_s) }),
    el("td", { class: "num", text: secs(e.turn_s) }), el("td", { class: "num", text: secs(e.end_s) }),
    el("td", { class: "num", text: secs(e.eccentric_s) }), el("td", { class: "num", text: secs(e.concentric_s) }),
    el("td", { class: "num", text: deg(e.rom_deg) }), el("td", { text: (e.cues || []).join("; ") || "–" }))));
  if (!(r.rep_events || []).length) {
    $("video-reps-body").replaceChildren(el("tr", {}, el("td", { colspan: "8", class: "muted", text: "No reps counted." })));
  }
  drawSignal($("video-chart"), r.signal, r.rep_events || []);
  $("video-json").textContent = JSON.stringify({ ...r, signal: r.signal ? "…" : null }, null, 2);
  document.body.dataset.videoDone = String(Date.now());
}

async function analyse(file, sample = null) {
  const token = Symbol("upload");
  current = token;
  for (const id of ["upload-progress", "process-progress"]) $(id).value = 0;
  $("upload-pct").textContent = "0 %";
  $("process-pct").textContent = "–";
  setStatus("video-status", `Uploading ${file.name}…`);
  try {
    const ex = $("video-exercise").value;
    const answer = sample
      ? await api(`/api/samples/${encodeURIComponent(sample)}/analyze${ex ? `?exercise=${encodeURIComponent(ex)}` : ""}`, { method: "POST" })
      : await upload(file, ex);
    if (!answer.job) {
      setStatus("video-status", `${file.name} is a photo: its result is in the History tab (or use the Photo tab).`, true);
      return;
    }
    const { job } = answer;
    $("upload-progress").value = 1;
    $("upload-pct").textContent = "100 %";
    setStatus("video-status", "Analysing… (the annotated video is rendered at the end)");
    const result = await poll(job, token);
    if (!result) return;
    setStatus("video-status", `${file.name}: done.`);
    show(result);
  } catch (e) {
    setStatus("video-status", e.message, true);
    toast(e.message, true);
  }
}

export function initVideo() {
  setupDrop("video-drop", "video-input", (file) => {
    if (file.type.startsWith("image/")) {
      setStatus("video-status", `${file.name} is a photo: use the Photo tab.`, true);
      return;
    }
    analyse(file);
  });
  api("/api/samples").then((all) => {
    const samples = all.filter((s) => s.kind === "video");
    if (!samples.length) return;
    $("video-samples-box").hidden = false;
    $("video-samples").replaceChildren(...samples.map((s) => el("button", {
      type: "button", title: `Analyse ${s.name}`, "data-sample": s.name,
      onclick: () => analyse({ name: s.name }, s.name),
    }, el("video", { src: s.url, muted: "", preload: "metadata", "aria-label": s.name }))));
  }).catch(() => {});
}
