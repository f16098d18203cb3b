// Photo tab: upload or pick a sample, show the annotated image, exercise, confidence and feedback.
import { $, api, el, fillList, pretty, setStatus, setupDrop, showVerdict, toast } from "./common.js";

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
  document.body.dataset.photoDone = String(Date.now());
}

async function run(request, label) {
  setStatus("photo-status", `Analysing ${label}…`);
  try {
    const r = await request();
    setStatus("photo-status", `${label}: done.`);
    show(r);
  } catch (e) {
    setStatus("photo-status", e.message, true);
    toast(e.message, true);
  }
}

export function initPhoto() {
  setupDrop("photo-drop", "photo-input", (file) => {
    const form = new FormData();
    form.append("file", file);
    const ex = $("photo-exercise").value;
    if (ex) form.append("exercise", ex);
    run(() => api("/api/analyze", { method: "POST", body: form }), file.name);
  });
  api("/api/samples").then((samples) => {
    if (!samples.length) return;
    $("samples-box").hidden = false;
    $("samples").replaceChildren(...samples.map((s) => el("button", {
      type: "button", title: `Analyse ${s.name}`, "data-sample": s.name,
      onclick: () => run(() => api(`/api/samples/${encodeURIComponent(s.name)}/analyze`, { method: "POST" }), s.name),
    }, el("img", { src: s.url, alt: s.name, loading: "lazy" }))));
  }).catch(() => {});
}
