"""CLI commands: ``train-recognizer`` rebuilds the shipped exercise recogniser from synthetic data."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

    @app.command("train-recognizer")
    def train_recognizer(
        out: Path = typer.Option(None, "--out", help="Model file to write (default: the shipped model)."),
        samples: int = typer.Option(24000, "--samples", min=700,
                                    help="Per-frame training rows (all classes)."),
        seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same model)."),
        validate: bool = typer.Option(True, "--validate/--no-validate",
                                      help="Also score a model trained without some camera views on them."),
    ) -> None:
        """Rebuild the exercise recogniser from synthetic poses (deterministic for a given seed)."""
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from ..recognition import SHIPPED, TrainConfig, train_synthetic

        console = Console(stderr=True)
        target = out or SHIPPED
        cfg = TrainConfig(samples=samples, seed=seed)
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                      TimeElapsedColumn(), console=console) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, frac: float) -> None:
                if stage not in tasks:
                    for t in tasks.values():
                        bar.update(t, completed=100)
                    tasks[stage] = bar.add_task(stage, total=100)
                bar.update(tasks[stage], completed=100 * frac)

            rec, metrics = train_synthetic(cfg, progress=progress, validate=validate)
            for t in tasks.values():
                bar.update(t, completed=100)
        rec.save(target)
        console.print(f"[green]wrote[/green] {target} ({target.stat().st_size / 1e6:.1f} MB) and "
                      f"{target.with_suffix('.json')}")
        held = metrics.get("heldout")
        if held:
            win = held.get("window_model_top1", float("nan"))
            console.print(f"held-out views {', '.join(metrics['heldout_views'])}: frame top-1 "
                          f"{held['frame_top1']:.3f}, window top-1 {win:.3f}")
        console.print(f"trained on {metrics['n_train_frames']} frames, {metrics['n_train_windows']} windows "
                      f"in {metrics['train_seconds']:.0f} s")
