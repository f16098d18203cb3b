"""Split a data set into train/val/test: stratified by class × camera view, near-duplicates removed,
no leaks (frames of one video and files sharing a stem stay in one split), extra pools appendable.

The plan (:func:`plan_split`) is pure apart from reading images; :func:`write_split` copies files
into the destination and writes ``split.json`` (the manifest used to add pools later) and a report.
"""

from __future__ import annotations

import json
import logging
import random
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ..exercises import EXERCISES
from .hashing import ImageHash, MediaError, clusters, load_rgb, near_pairs, phash
from .layout import Dataset, Sample
from .views import UNKNOWN_VIEW

log = logging.getLogger(__name__)

SPLITS = ("train", "val", "test")
MANIFEST = "split.json"
T = TypeVar("T")
Tracker = Callable[[Iterable[T], str, int], Iterable[T]]
ViewFn = Callable[[np.ndarray], str]

#: Trailing frame markers of video frames: ``clip_frame0012``, ``clip-f12``, ``clip_mp4-0012``
#: (Roboflow), ``clip_000123`` (5+ digits, ffmpeg dumps). Digits-only stems use their folder name.
FRAME_PATTERN = (r"(?:[_\-. ](?:frame|frm|f)[_\-]?\d+"
                 r"|[_\-.](?:mp4|mov|avi|mkv|webm|m4v)[_\-]?\d+"
                 r"|[_\-]\d{5,})$")


def no_track(items: Iterable[T], description: str = "", total: int = 0) -> Iterable[T]:
    return items


@dataclass
class SplitConfig:
    ratios: tuple[float, float, float] = (0.7, 0.2, 0.1)
    seed: int = 0
    #: Hamming distance (of 64 bits) at or under which two images are near-duplicates.
    hash_threshold: int = 8
    #: Mirror images count as duplicates.
    flips: bool = True
    dedupe: bool = True
    frame_pattern: str = FRAME_PATTERN

    def __post_init__(self) -> None:
        r = [float(x) for x in self.ratios]
        if len(r) != 3 or min(r) < 0 or sum(r) <= 0:
            raise ValueError(f"ratios must be three non-negative numbers, got {self.ratios}")
        self.ratios = (r[0] / sum(r), r[1] / sum(r), r[2] / sum(r))


@dataclass
class Item:
    """One file in a split (or about to be placed)."""

    source: str
    rel: str
    kind: str
    label: str | None
    group: str
    view: str = UNKNOWN_VIEW
    hash: str | None = None
    mhash: str | None = None
    split: str | None = None
    out: str | None = None
    source_split: str | None = None
    boxes: list[list[Any]] = field(default_factory=list)
    existing: bool = False
    pixels: int = 0  # decoded size, to keep the biggest copy of a near-duplicate

    @property
    def stratum(self) -> tuple[str, str]:
        return (self.label or "background", self.view)

    def image_hash(self) -> ImageHash | None:
        if self.hash is None:
            return None
        return ImageHash(int(self.hash, 16), int(self.mhash or self.hash, 16))


@dataclass
class Duplicate:
    dropped: str  # the near-duplicate (dropped, or moved into the kept one's group)
    kept: str
    distance: int
    kept_split: str | None = None
    action: str = "dropped"  # "dropped" | "grouped" (videos) | "conflict" (labels differ)


@dataclass
class SplitPlan:
    """Placed items (new and, in pool mode, existing), what was dropped and why."""

    items: list[Item]
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    grouped_files: int = 0
    source_split_conflicts: list[str] = field(default_factory=list)
    pinned: list[str] = field(default_factory=list)

    @property
    def new_items(self) -> list[Item]:
        return [i for i in self.items if not i.existing]

    @property
    def leaks_prevented(self) -> int:
        return self.grouped_files + len(self.pinned)


def group_key(rel: str, pattern: str = FRAME_PATTERN) -> str:
    """The leak-guard key: file stem without Roboflow/frame suffixes, lower case."""
    p = Path(rel)
    stem = p.stem
    stem = re.sub(r"\.rf\.[0-9a-z]+$", "", stem, flags=re.IGNORECASE)
    stem = re.sub(r"_(?:jpe?g|png|bmp|webp)$", "", stem, flags=re.IGNORECASE)
    stem = re.sub(pattern, "", stem, flags=re.IGNORECASE)
    if not stem or stem.isdigit():  # frames named 000123.jpg inside a folder per video
        stem = p.parent.name or stem
    return stem.lower()


def make_items(ds: Dataset, config: SplitConfig) -> tuple[list[Item], list[str]]:
    """Items for every usable sample (unlabelled images without a label file are left out)."""
    items: list[Item] = []
    problems: list[str] = []
    for s in ds.samples:
        if s.label is None and (ds.layout == "folders" or s.label_path is None):
            continue  # already reported by the reader
        items.append(_item(s, config))
    return items, problems


def _item(s: Sample, config: SplitConfig) -> Item:
    boxes = [[b.label, b.cx, b.cy, b.w, b.h] for b in s.boxes]
    return Item(str(s.path), s.rel, s.kind, s.label, group_key(s.rel, config.frame_pattern),
                boxes=boxes, source_split=s.source_split)


def describe(items: Sequence[Item], view_fn: ViewFn | None, track: Tracker = no_track) -> list[str]:
    """Fill in perceptual hashes and (with ``view_fn``) camera views; return unreadable-file messages."""
    problems: list[str] = []
    for it in track(items, "Hashing" + (" + views" if view_fn else ""), len(items)):
        try:
            rgb = load_rgb(Path(it.source), draft_side=1024)
        except MediaError as exc:
            problems.append(str(exc))
            it.split = "__unreadable__"
            continue
        h = phash(rgb)
        it.hash, it.mhash = f"{h.value:016x}", f"{h.mirrored:016x}"
        it.pixels = int(rgb.shape[0] * rgb.shape[1])
        if view_fn is not None:
            try:
                it.view = view_fn(rgb)
            except Exception as exc:  # a pose failure must not stop the split
                log.warning("view estimate failed for %s: %s", it.source, exc)
    return problems


def dedupe(items: list[Item], config: SplitConfig) -> tuple[list[Item], list[Duplicate]]:
    """Drop near-duplicate images; in each cluster keep an already-placed item, else the biggest
    (then the first by path).

    Members are not dropped but moved into the kept one's group (same split, no leak) when the
    cluster involves a video (two clips filmed from one tripod look alike but are different sets) or
    when their label differs from the kept one's (a label conflict to check, or a chance match).
    Returns the kept items and every duplicate found (``action`` "dropped", "grouped" or "conflict").
    """
    hashed = [i for i in items if i.hash is not None]
    if not config.dedupe or len(hashed) < 2:
        return items, []
    hashes = [i.image_hash() for i in hashed]
    pairs = near_pairs(hashes, config.hash_threshold, config.flips)  # type: ignore[arg-type]
    dist = {(a, b): d for a, b, d in pairs}
    placed_groups = {i.group for i in items if i.existing}
    found: dict[int, Duplicate] = {}
    merge: dict[str, str] = {}
    for comp in clusters(len(hashed), pairs):
        keep = min(comp, key=lambda k: (not hashed[k].existing, hashed[k].label is None, -hashed[k].pixels,
                                        hashed[k].rel))
        videos = any(hashed[k].kind == "video" for k in comp)
        target = next((hashed[k].group for k in comp if hashed[k].group in placed_groups), hashed[keep].group)
        for k in comp:
            it = hashed[k]
            if k == keep or it.existing:
                continue  # never remove or move what is already in a split
            d = dist.get((min(k, keep), max(k, keep)))
            if d is None:
                hk, hkeep = hashes[k], hashes[keep]
                assert hk is not None and hkeep is not None
                d = min(bin(hk.value ^ hkeep.value).count("1"), bin(hk.value ^ hkeep.mirrored).count("1"))
            conflict = it.label != hashed[keep].label
            if videos or conflict:
                if it.group != target and it.group not in placed_groups:
                    merge[it.group] = target
                action = "conflict" if conflict else "grouped"
                found[id(it)] = Duplicate(it.rel, hashed[keep].rel, d, hashed[keep].split, action)
            else:
                found[id(it)] = Duplicate(it.rel, hashed[keep].rel, d, hashed[keep].split)
    for it in items:
        seen: set[str] = set()
        while it.group in merge and it.group not in seen and not it.existing:
            seen.add(it.group)
            it.group = merge[it.group]
    kept = [i for i in items if id(i) not in found or found[id(i)].action != "dropped"]
    return kept, sorted(found.values(), key=lambda d: d.dropped)


def assign(items: list[Item], config: SplitConfig) -> tuple[int, list[str]]:
    """Give every unplaced item a split: whole groups at a time, stratified by class × view.

    Groups that share a key with an already-placed item are pinned to that item's split. The rest
    are placed, largest group first within each stratum, into the split furthest below its target
    share (of that stratum, and a little of the whole set). Returns (files kept with their group,
    pinned-file messages).
    """
    groups: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        groups[it.group].append(it)
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    total: Counter[str] = Counter()
    pinned: list[str] = []
    todo: dict[tuple[str, str], list[list[Item]]] = defaultdict(list)
    for key in sorted(groups):
        members = groups[key]
        placed = [m.split for m in members if m.existing and m.split]
        new = [m for m in members if not m.existing]
        if placed:
            split = Counter(placed).most_common(1)[0][0]
            for m in new:
                m.split = split
                pinned.append(f"{m.rel} -> {split} (shares '{key}' with a file already in {split})")
        elif new:
            stratum = Counter(m.stratum for m in new).most_common(1)[0][0]
            todo[stratum].append(new)
        for m in members:
            if m.split:
                counts[m.stratum][m.split] += 1
                total[m.split] += 1
    rng = random.Random(config.seed)
    grouped = 0
    n_strata = max(1, len(todo))
    for stratum in sorted(todo):
        batch = todo[stratum]
        rng.shuffle(batch)
        batch.sort(key=len, reverse=True)
        c = counts[stratum]
        for members in batch:
            size = len(members)
            n_s, n_all = sum(c.values()) + size, sum(total.values()) + size
            score = [config.ratios[k] * n_s - c[s] + (config.ratios[k] * n_all - total[s]) / n_strata
                     for k, s in enumerate(SPLITS)]
            score = [sc if config.ratios[k] > 0 else -np.inf for k, sc in enumerate(score)]
            split = SPLITS[int(np.argmax(score))]
            for m in members:
                m.split = split
            c[split] += size
            total[split] += size
            grouped += size - 1
    return grouped, pinned


def plan_split(ds: Dataset, config: SplitConfig, *, view_fn: ViewFn | None = None,
               existing: Sequence[Item] = (), track: Tracker = no_track) -> SplitPlan:
    """Plan a split of ``ds`` (or, with ``existing`` items, add ``ds`` as a pool to that split)."""
    new, problems = make_items(ds, config)
    problems = list(ds.problems) + problems
    problems += describe(new, view_fn, track)
    new = [i for i in new if i.split != "__unreadable__"]
    old = [Item(**{**asdict(i), "existing": True}) for i in existing]
    old_sources = {Path(i.source).resolve() for i in old}
    again = [i for i in new if Path(i.source).resolve() in old_sources]
    if again:
        problems.append(f"{len(again)} file(s) are already in the split; left where they are")
        new = [i for i in new if Path(i.source).resolve() not in old_sources]
    kept, dups = dedupe(old + new, config)
    # groups spanning the source's own splits would leak if the source split were reused
    by_group: dict[str, set[str]] = defaultdict(set)
    for it in kept:
        if not it.existing and it.source_split:
            by_group[it.group].add(it.source_split)
    conflicts = [f"'{g}' is in {', '.join(sorted(s))} of the source" for g, s in sorted(by_group.items())
                 if len(s) > 1]
    grouped, pinned = assign(kept, config)
    return SplitPlan(kept, dups, problems, grouped, conflicts, pinned)


# ---------------------------------------------------------------- writing

def _unique(path: Path, taken: set[Path]) -> Path:
    out, n = path, 2
    while out in taken or out.exists():
        out = path.with_name(f"{path.stem}__{n}{path.suffix}")
        n += 1
    taken.add(out)
    return out


def check_paths(src: Path, dst: Path) -> None:
    """Refuse destinations that would write into the source (or the source into itself)."""
    s, d = src.resolve(), dst.resolve()
    if s == d or s in d.parents or d in s.parents:
        raise ValueError(f"destination {dst} must not be inside the source {src} (or the other way round)")


def load_manifest(dst: Path) -> dict[str, Any] | None:
    p = dst / MANIFEST
    if not p.is_file():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


def existing_items(manifest: dict[str, Any]) -> list[Item]:
    return [Item(**{k: v for k, v in d.items() if k in Item.__dataclass_fields__}) for d in manifest["items"]]


def write_split(plan: SplitPlan, ds: Dataset, dst: Path, config: SplitConfig,
                layout: str | None = None, track: Tracker = no_track) -> dict[str, Any]:
    """Copy the new items into ``dst`` (YOLO or class-folder layout), write manifest and report."""
    layout = layout or ds.layout
    dst.mkdir(parents=True, exist_ok=True)
    taken: set[Path] = set()
    class_id = {name: i for i, name in enumerate(EXERCISES)}
    new = plan.new_items
    for it in track(new, "Copying", len(new)):
        src = Path(it.source)
        assert it.split is not None
        if layout == "yolo":
            out = _unique(dst / "images" / it.split / src.name, taken)
            lab = dst / "labels" / it.split / f"{out.stem}.txt"
            lab.parent.mkdir(parents=True, exist_ok=True)
            lab.write_text("".join(
                f"{class_id[b[0]]} {b[1]:.6f} {b[2]:.6f} {b[3]:.6f} {b[4]:.6f}\n" for b in it.boxes))
        else:
            out = _unique(dst / it.split / (it.label or "background") / src.name, taken)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, out)
        it.out = out.relative_to(dst).as_posix()
    if layout == "yolo":
        import yaml

        (dst / "data.yaml").write_text(yaml.safe_dump({
            "path": ".", "train": "images/train", "val": "images/val", "test": "images/test",
            "nc": len(EXERCISES), "names": list(EXERCISES)}, sort_keys=False))
    report = split_report(plan, config)
    old = load_manifest(dst) or {}
    manifest = {
        "version": 1, "layout": layout, "config": {**asdict(config), "ratios": list(config.ratios)},
        "items": [{k: v for k, v in asdict(i).items() if k != "existing"} for i in plan.items],
        "dropped": [asdict(d) for d in plan.duplicates if d.action == "dropped"] + old.get("dropped", []),
        "history": [*old.get("history", []), {"source": str(ds.root), "added": len(new),
                                              "duplicates": sum(d.action == "dropped"
                                                                for d in plan.duplicates),
                                              "pinned": len(plan.pinned)}],
    }
    (dst / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    (dst / "split_report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    from .report import split_report_html

    (dst / "split_report.html").write_text(split_report_html(report), encoding="utf-8")
    return report


def find_leaks(items: Sequence[Item], threshold: int, flips: bool = True) -> list[str]:
    """Independent check: groups in two splits, or near-duplicate images in two splits."""
    leaks: list[str] = []
    by_group: dict[str, set[str]] = defaultdict(set)
    for it in items:
        by_group[it.group].add(str(it.split))
    leaks += [f"group '{g}' in {sorted(s)}" for g, s in by_group.items() if len(s) > 1]
    hashed = [i for i in items if i.hash is not None]
    for a, b, d in near_pairs([i.image_hash() for i in hashed], threshold, flips):  # type: ignore[misc]
        if hashed[a].split != hashed[b].split:
            leaks.append(f"{hashed[a].rel} ({hashed[a].split}) ~ {hashed[b].rel} ({hashed[b].split}), d={d}")
    return leaks


def split_report(plan: SplitPlan, config: SplitConfig) -> dict[str, Any]:
    """Counts per class × view × split, duplicates dropped, leaks prevented, problems."""
    table: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(Counter))
    for it in plan.items:
        table[it.label or "background"][it.view][str(it.split)] += 1
    totals = Counter(str(i.split) for i in plan.items)
    return {
        "ratios": dict(zip(SPLITS, config.ratios, strict=True)), "seed": config.seed,
        "hash_threshold": config.hash_threshold, "flips": config.flips,
        "totals": {s: totals.get(s, 0) for s in SPLITS},
        "added": len(plan.new_items),
        "counts": {c: {v: {s: n.get(s, 0) for s in SPLITS} for v, n in sorted(views.items())}
                   for c, views in sorted(table.items())},
        "duplicates_dropped": sum(d.action == "dropped" for d in plan.duplicates),
        "duplicates": [asdict(d) for d in plan.duplicates if d.action == "dropped"],
        "near_duplicates_grouped": [asdict(d) for d in plan.duplicates if d.action == "grouped"],
        "label_conflicts": [asdict(d) for d in plan.duplicates if d.action == "conflict"],
        "leaks_prevented": plan.leaks_prevented,
        "grouped_files": plan.grouped_files,
        "pinned_to_existing_split": plan.pinned,
        "source_split_conflicts": plan.source_split_conflicts,
        "leaks_remaining": find_leaks(plan.items, config.hash_threshold, config.flips),
        "problems": plan.problems,
    }
