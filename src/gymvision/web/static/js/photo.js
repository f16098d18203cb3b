// Photo tab: upload or pick a sample, show the annotated image, exercise, confidence and feedback.
import { $, api, el, fillList, pollJob, pretty, setStatus, setupDrop, showVerdict, toast } from "./common.js";

let explainUrl = null;
let explainToken = null;

function feedback(r) {
  if (r.error) return r.error;
  if (!r.detections.length && !r.people) return "No person found in this photo.";
  if (r.exercise === "unknown") return "A person was found, but the exercise is not clear from this photo.";
  const conf = Math.round(r.confidence * 100);
  const hedge = conf >= 85 ? "This is" : conf >= 70 ? "This looks like" : "This might be";
  return `${hedge} a ${pretty(r.exercise)} (${conf} % confidence).`;
}

function show(r) {
  $("photo-result").hidden = false;
  const img = $("photo-img");
  if (r.annotated_url) img.src = `${r.annotated_url}?t=${Date.now()}`;
  img.hidden = !r.annotated_url;
  showVerdict("photo", r);
  $("photo-feedback").textContent = feedback(r);
  fillList("photo-advice", r.advice);
  $("photo-json").textContent = JSON.stringify(r, null, 2);
  explainUrl = r.explain_url || null;
  explainToken = null;
  $("photo-explain").hidden = !explainUrl;
  $("photo-explain").disabled = false;
  $("explain-box").hidden = true;
  setStatus("explain-status", "");
  document.body.dataset.photoDone = String(Date.now());
}

async function explain() {
  if (!explainUrl) return;
  const token = Symbol("explain");
  explainToken = token;
  $("photo-explain").disabled = true;
  setStatus("explain-status", "Explaining: covering parts of the photo to see what changes the prediction…");
  try {
    const { job } = await api(explainUrl, { method: "POST" });
    const res = await pollJob(job, (j) => {
      if (explainToken === token) setStatus("explain-status", `Explaining… ${Math.round(j.progress * 100)} %`);
    }, () => explainToken === token);
    if (!res) return;
    $("explain-img").src = res.heatmap_url;
    const top = (res.attributions || []).slice(0, 8);
    const max = Math.max(1e-6, ...top.map((a) => Math.abs(a.importance)));
    $("explain-features").replaceChildren(...top.map((a) => {
      const bar = el("span");
      bar.style.width = `${Math.round((100 * Math.abs(a.importance)) / max)}%`;
      return el("li", {}, el("span", { text: a.name.replace(/_/g, " ") }), el("span", { class: "bar" }, bar),
        el("span", { class: "num", text: a.importance.toFixed(3) }));
    }));
    if (!top.length) $("explain-features").replaceChildren(el("li", { class: "muted", text: "No feature attributions." }));
    $("explain-box").hidden = false;
    setStatus("explain-status", `Explained ${pretty(res.exercise)} (${Math.round(res.confidence * 100)} %) in ${res.seconds.toFixed(1)} s: the highlighted areas mattered most.`);
  } catch (e) {
    setStatus("explain-status", e.message, true);
  } finally {
    $("photo-explain").disabled = false;
  }
}

async function run(request, label) {
  setStatus("photo-status", `Analysing ${label}…`);
  try {
    const r = await request();
    if (r.job) {
      setStatus("photo-status", `${label} is a video: it was queued, and its result will appear in the History tab.`);
      return;
    }
    setStatus("photo-status", `${label}: done.`);
    show(r);
  } catch (e) {
    setStatus("photo-status", e.message, true);
    toast(e.message, true);
  }
}

export function initPhoto() {
  $("photo-explain").addEventListener("click", explain);
  setupDrop("photo-drop", "photo-input", (file) => {
    if (file.type.startsWith("video/")) {
      setStatus("photo-status", `${file.name} is a video: use the Video tab.`, true);
      return;
    }
    const form = new FormData();
    form.append("file", file);
    const ex = $("photo-exercise").value;
    if (ex) form.append("exercise", ex);
    run(() => api("/api/analyze", { method: "POST", body: form }), file.name);
  });
  api("/api/samples").then((all) => {
    const samples = all.filter((s) => s.kind === "image");
    if (!samples.length) return;
    $("samples-box").hidden = false;
    $("samples").replaceChildren(...samples.map((s) => el("button", {
      type: "button", title: `Analyse ${s.name}`, "data-sample": s.name,
      onclick: () => {
        const ex = $("photo-exercise").value;
        const query = ex ? `?exercise=${encodeURIComponent(ex)}` : "";
        run(() => api(`/api/samples/${encodeURIComponent(s.name)}/analyze${query}`, { method: "POST" }), s.name);
      },
    }, el("img", { src: s.url, alt: s.name, loading: "lazy" }))));
  }).catch(() => {});
}
