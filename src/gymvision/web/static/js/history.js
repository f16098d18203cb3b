// History tab: the session log, with correction (exercise, add/remove reps) and export.
import { $, api, deg, el, pretty, secs, toast } from "./common.js";

let selected = null;

function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

async function load() {
  const sets = await api("/api/sets");
  $("history-empty").hidden = sets.length > 0;
  $("sets-body").replaceChildren(...sets.map((s) => {
    const row = el("tr", { "data-set": s.id, class: s.id === selected ? "selected" : "" },
      el("td", { text: when(s.created) }), el("td", { text: s.source }), el("td", { text: s.name }),
      el("td", {}, pretty(s.exercise), ...(s.corrected ? [el("span", { class: "badge fix", text: "corrected" })] : [])),
      el("td", { class: "num", text: s.kind === "image" ? "–" : s.reps }),
      el("td", {}, el("button", { class: "small", type: "button", text: "Open", onclick: () => open(s.id) })));
    return row;
  }));
  if (selected && !sets.some((s) => s.id === selected)) { selected = null; $("set-detail").hidden = true; }
}

function render(s) {
  selected = s.id;
  $("set-detail").hidden = false;
  $("set-title").textContent = `${pretty(s.exercise)} · ${s.name}`;
  $("set-exercise").value = s.exercise;
  $("set-original").textContent = s.corrected
    ? `Corrected by you; GymVision said ${pretty(s.original_exercise)} (${Math.round(s.confidence * 100)} %).`
    : `Recognised with ${Math.round(s.confidence * 100)} % confidence · ${when(s.created)} · ${s.source}`;
  $("set-export-csv").href = `/api/sets/${encodeURIComponent(s.id)}/export?format=csv`;
  $("set-export-json").href = `/api/sets/${encodeURIComponent(s.id)}/export?format=json`;
  const reps = s.rep_events || [];
  $("set-reps").replaceChildren(...(reps.length ? reps.map((r) => el("tr", {},
    el("td", { text: r.index }), el("td", { class: "num", text: secs(r.start_s) }),
    el("td", { class: "num", text: secs(r.turn_s) }), el("td", { class: "num", text: secs(r.end_s) }),
    el("td", { class: "num", text: deg(r.rom_deg) }),
    el("td", { text: (r.cues || []).join("; ") || (r.added_by_user ? "added by you" : "–") }),
    el("td", {}, el("button", { class: "small danger", type: "button", text: "Remove", title: `Remove rep ${r.index}`,
      onclick: () => change(() => api(`/api/sets/${encodeURIComponent(s.id)}/reps/${r.index}`, { method: "DELETE" })) }))))
    : [el("tr", {}, el("td", { colspan: "7", class: "muted", text: "No reps." }))]));
  const media = $("set-media");
  media.replaceChildren();
  if (s.media) {
    media.append(s.kind === "video"
      ? el("video", { src: s.media, controls: "", muted: "", playsinline: "" })
      : el("img", { src: s.media, alt: "Annotated result" }));
  }
}

async function open(id) {
  try {
    render(await api(`/api/sets/${encodeURIComponent(id)}`));
    await load();
  } catch (e) { toast(e.message, true); }
}

async function change(request) {
  try {
    render(await request());
    await load();
  } catch (e) { toast(e.message, true); }
}

export function initHistory() {
  $("history-refresh").addEventListener("click", () => load().catch((e) => toast(e.message, true)));
  $("set-correct").addEventListener("submit", (e) => {
    e.preventDefault();
    change(() => api(`/api/sets/${encodeURIComponent(selected)}`, {
      method: "PATCH", headers: { "content-type": "application/json" },
      body: JSON.stringify({ exercise: $("set-exercise").value }),
    }));
  });
  $("set-add-rep").addEventListener("submit", (e) => {
    e.preventDefault();
    change(() => api(`/api/sets/${encodeURIComponent(selected)}/reps`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ start_s: Number($("rep-start").value), end_s: Number($("rep-end").value) }),
    }));
  });
  $("set-delete").addEventListener("click", async () => {
    if (!selected || !window.confirm("Delete this set from the log?")) return;
    try {
      await api(`/api/sets/${encodeURIComponent(selected)}`, { method: "DELETE" });
      selected = null; $("set-detail").hidden = true; await load();
    } catch (err) { toast(err.message, true); }
  });
  return () => load().catch((e) => toast(e.message, true));
}
