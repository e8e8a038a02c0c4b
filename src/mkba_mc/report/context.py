"""What the sections of a report share while it is built."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .artefacts import Artefacts, Curve, RunResult
from .figures import save_png
from .html import esc
from .text import texts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..io.loading import Scenario


@dataclass
class Context:
    """Everything the sections share while a report is built."""
    lang: str
    root: Path
    art: Artefacts
    run: RunResult
    scenario: Scenario | None
    notes: list[str]
    figures_dir: Path
    stage: Callable[[str], Path] = field(default=lambda name: Path(name))
    written: dict[str, bytes] = field(default_factory=dict)
    point: dict[str, Any] | None = None
    point_source: str = ""
    sobol: Any = None
    curves: list[Curve] = field(default_factory=list)
    assumptions: list[dict[str, Any]] | None = None
    #: Analyses not in the folder: (section title, files looked for, command that makes them).
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    #: Parameter and knop names the sections labelled (for the appendix's list of code names).
    code_names: set[str] = field(default_factory=set)
    #: The report's statement of what it contains (HTML items for the summary).
    contents: list[str] = field(default_factory=list)

    @property
    def programme_years(self) -> int:
        """Programme length: the scenario's, else the years of the programme band, else 10."""
        if self.scenario is not None:
            return int(self.scenario.structure.programme_years)
        for band in self.run.band.values():
            return int(band.shape[1])
        return 10

    @property
    def T(self) -> dict[str, str]:
        """The texts of the report's language."""
        return texts(self.lang)

    def figure(self, name: str, fig: Figure, alt: str, caption: str) -> str:
        """Write ``figures/<name>`` and return it as an HTML figure with a data: URI."""
        data = save_png(fig, self.stage(f"{self.figures_dir.name}/{name}"))
        self.written[name] = data
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        return (f'<figure><img src="{uri}" alt="{esc(alt)}" data-file="figures/{esc(name)}">'
                f"<figcaption>{caption}</figcaption></figure>")

    def not_computed(self, what: str, files: str, how: str) -> str:
        """A paragraph saying that analysis ``what`` is not in the folder; the
        files looked for and the command that makes them go to the appendix."""
        self.missing.append((what, files, how))
        return f'<p class="missing">{esc(self.T["not_computed"].format(what=what))}</p>'

    def rel(self, path: Path | str) -> str:
        """``path`` relative to the results folder (as given when it lies outside)."""
        p = Path(path)
        try:
            return p.resolve().relative_to(self.root.resolve()).as_posix() or "."
        except ValueError:
            return str(path)


def run_space(run: RunResult) -> str:
    """The input space of a run (``run`` for runs made before it was recorded)."""
    return str(run.manifest.get("input_space") or "run")


__all__ = ["Context", "run_space"]
