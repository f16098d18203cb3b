// Entry point: tabs, server health, shared metadata, and the four sections.
import { $, api, pretty } from "./common.js";
import { initPhoto } from "./photo.js";
import { initVideo } from "./video.js";
import { initLive } from "./live.js";
import { initHistory } from "./history.js";

const TABS = ["photo", "video", "live", "history"];
const onShow = {};

function showTab() {
  const name = TABS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "photo";
  for (const t of TABS) {
    $(`tab-${t}`).hidden = t !== name;
    document.querySelector(`[data-tab="${t}"]`).setAttribute("aria-selected", String(t === name));
  }
  if (onShow[name]) onShow[name]();
}

async function pollHealth() {
  const badge = $("health");
  try {
    const res = await fetch("/health");
    const body = await res.json();
    badge.textContent = body.models_loaded ? "ready" : body.status;
    badge.className = `health ${body.models_loaded ? "ok" : body.status === "error" ? "bad" : ""}`;
    badge.title = body.error || `pose model: ${body.pose_model}`;
    document.body.dataset.ready = String(body.models_loaded);
    if (!body.models_loaded) setTimeout(pollHealth, 1000);
  } catch {
    badge.textContent = "offline";
    badge.className = "health bad";
    setTimeout(pollHealth, 3000);
  }
}

async function main() {
  const meta = await api("/api/meta");
  for (const sel of document.querySelectorAll(".exercise-select")) {
    const names = sel.classList.contains("labels") ? meta.labels : meta.exercises;
    for (const n of names) sel.append(new Option(pretty(n), n));
  }
  initPhoto(meta);
  initVideo(meta);
  onShow.live = initLive(meta);
  onShow.history = initHistory(meta);
  window.addEventListener("hashchange", showTab);
  showTab();
  pollHealth();
}

main();
