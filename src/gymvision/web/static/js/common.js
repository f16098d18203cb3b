// Shared helpers: DOM, fetch with readable errors, formatting, toasts.
export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

export async function api(url, options = {}) {
  const res = await fetch(url, { credentials: "same-origin", ...options });
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new Error((body && body.detail) || `${res.status} ${res.statusText}`);
  return body;
}

export const pretty = (name) => (name || "unknown").replace(/_/g, " ");
export const pct = (x) => `${Math.round((x || 0) * 100)} %`;
export const secs = (x) => (x === null || x === undefined ? "–" : `${Number(x).toFixed(2)} s`);
export const deg = (x) => (x === null || x === undefined ? "–" : `${Math.round(x)}°`);

let toastTimer = null;
export function toast(message, isError = false) {
  const t = $("toast");
  t.textContent = message;
  t.className = isError ? "toast error" : "toast";
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 5000);
}

export function setStatus(id, message, isError = false) {
  const s = $(id);
  s.textContent = message || "";
  s.classList.toggle("error", isError);
}

export function fillList(id, items) {
  const ul = $(id);
  ul.replaceChildren(...(items || []).map((a) => el("li", { text: a })));
}

export function showVerdict(prefix, result) {
  $(`${prefix}-exercise-name`).textContent = pretty(result.exercise);
  $(`${prefix}-meter`).style.width = pct(result.confidence).replace(" ", "");
  $(`${prefix}-conf`).textContent = `${pct(result.confidence)} confidence`;
}

export function setupDrop(dropId, inputId, onFile) {
  const drop = $(dropId);
  const input = $(inputId);
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files.length) onFile(e.dataTransfer.files[0]);
  });
  input.addEventListener("change", () => { if (input.files.length) onFile(input.files[0]); input.value = ""; });
}

// Poll a job until it is done (resolves with its result) or failed (rejects with its error).
export async function pollJob(jobId, onProgress, isCurrent = () => true) {
  for (;;) {
    if (!isCurrent()) return null;
    const job = await api(`/api/jobs/${encodeURIComponent(jobId)}`);
    if (onProgress) onProgress(job);
    if (job.status === "done") return job.result;
    if (job.status === "failed") throw new Error(job.error || "the job failed");
    await new Promise((r) => setTimeout(r, 500));
  }
}
