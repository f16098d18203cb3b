"""The ``gymvision`` command line: one Typer app, each command group in its own module."""

from __future__ import annotations

import logging

import typer

from ..native_log import filter_native_stderr
from . import analyze, data, serve, train, yolo

app = typer.Typer(
    name="gymvision",
    help="Exercise recognition, rep counting and form coaching — offline on CPU.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages.")) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


for module in (analyze, serve, train, data, yolo):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    filter_native_stderr()
    app()
