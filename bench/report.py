"""The results table: one row per figure with value, target, ratio and met / not met."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ANALYSIS_MARK = "<!-- analysis: kept across runs -->"


@dataclass
class Figure:
    """One measured figure against its target (``met`` None: a reference, no target)."""

    name: str
    value: str
    target: str
    ratio: float | None
    met: bool | None

    def verdict(self) -> str:
        """met / NOT MET / reference."""
        return "reference" if self.met is None else ("met" if self.met else "**not met**")

    def line(self) -> str:
        """A one-line summary for the terminal."""
        return f"{self.verdict():14} {self.name}: {self.value} (target {self.target})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_results(
    path: Path, machine: dict[str, str], when: datetime, figures: list[Figure], notes: list[str], seconds: float
) -> None:
    """Write RESULTS.md; the hand-written analysis below ``ANALYSIS_MARK`` in an existing file is kept."""
    kept = ""
    if path.exists():
        old = path.read_text()
        if ANALYSIS_MARK in old:
            kept = old[old.index(ANALYSIS_MARK) :]
    lines = [
        "# tui-desk benchmark results",
        "",
        f"Written by `python bench/run.py` on {when:%Y-%m-%d %H:%M} UTC in {seconds:.0f} s. The machine is shared "
        "and noisy: values are medians, and each figure is compared with its reference measured in the same run.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {_cell(value)} |" for key, value in machine.items()),
        "",
        "| figure | measured | target | ratio | verdict |",
        "|---|---|---|---|---|",
    ]
    for figure in figures:
        ratio = "" if figure.ratio is None else f"{figure.ratio:.2f}"
        lines.append(
            f"| {_cell(figure.name)} | {_cell(figure.value)} | {_cell(figure.target)} | {ratio} | {figure.verdict()} |"
        )
    lines += ["", "## Notes from this run", ""]
    lines += [f"- {_cell(note)}" for note in notes]
    lines += ["", kept or ANALYSIS_MARK, ""]
    path.write_text("\n".join(lines).rstrip() + "\n")
