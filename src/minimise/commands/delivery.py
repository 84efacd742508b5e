"""What a scan prints and writes: its outcome rendered into one Delivery, then emitted with the exit code."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from minimise.cli import EXIT_FINDINGS, EXIT_OK, fail

if TYPE_CHECKING:
    from minimise.baseline import Entry
    from minimise.config import Config
    from minimise.model import Report
    from minimise.session import Outcome


@dataclass
class Delivery:
    """Everything a scan shows: the report (to stdout or the ``output`` file), the notes on stderr, the exit code."""

    stdout: str = ""
    stderr: list[str] = field(default_factory=list)  # lines, without their newline
    output: str | None = None  # the -o file, written atomically with ``output_text``
    output_text: str = ""
    exit_code: int = EXIT_OK

    def emit(self) -> NoReturn:
        """Write the report and the notes, then exit with the delivery's code."""
        if self.output:
            from minimise.atomic import write_output

            try:
                write_output(Path(self.output), self.output_text)
            except OSError as exc:
                fail(f"cannot write {self.output}: {exc.strerror or exc}")
        if self.stdout:
            sys.stdout.write(self.stdout)
            sys.stdout.flush()
        for line in self.stderr:
            click.echo(line, err=True)
        sys.exit(self.exit_code)


def exit_status(report: Report, fail_on: str) -> int:
    from minimise.config import severity_at_least

    return EXIT_FINDINGS if any(severity_at_least(f.severity, fail_on) for f in report.findings) else EXIT_OK


def stale_lines(stale: list[Entry], baseline: str) -> list[str]:
    """The notes on baseline entries that no longer match anything."""
    if not stale:
        return []
    lines = [
        f"minimise: {len(stale)} baseline entr{'y' if len(stale) == 1 else 'ies'} in {baseline} no longer "
        "match (fixed or changed; re-create the baseline to drop them):"
    ]
    for entry in stale:
        what = f" `{entry.identifier}`" if entry.identifier else ""
        lines.append(f"  {entry.path}: {entry.code}{what} in {entry.scope or '<module>'} [{entry.fingerprint}]")
    return lines


def colour_wanted(choice: str, stream: Any) -> bool:
    """--color: always / never, or auto: FORCE_COLOR, then NO_COLOR, then CI, then whether it is a terminal."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("CI"):
        return False
    return bool(getattr(stream, "isatty", None) and stream.isatty())


def for_the_terminal(report: Report, project_root: Path) -> Report:
    """The report with paths a user can open from the current folder (text output only)."""
    from dataclasses import replace

    from minimise.model import Report as ReportType

    here = Path.cwd()
    shown: dict[str, str] = {}

    def local(path: str) -> str:
        if path not in shown:
            absolute = Path(os.path.normpath(os.path.join(os.path.realpath(project_root), path)))
            try:
                shown[path] = absolute.relative_to(here).as_posix()
            except ValueError:  # outside the current folder: the absolute path opens from anywhere
                shown[path] = absolute.as_posix()
        return shown[path]

    copy = ReportType(
        root=str(here),
        data_points=[replace(p, path=local(p.path)) for p in report.data_points],
        findings=[replace(f, path=local(f.path)) for f in report.findings],
        errors=[replace(e, path=local(e.path)) for e in report.errors],
        files_scanned=report.files_scanned,
        files_skipped=report.files_skipped,
    )
    copy.files_treated_as_tests = getattr(report, "files_treated_as_tests", 0)  # type: ignore[attr-defined]
    return copy


def statistics(report: Report) -> list[str]:
    """flake8's --statistics: one line per code, most frequent first."""
    from collections import Counter

    counts = Counter(f.code for f in report.findings)
    names = {f.code: f.name for f in report.findings}
    return [f"{count:<5} {code} {names[code]}" for code, count in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]


def delivery_of(
    outcome: Outcome,
    config: Config,
    output: str | None,
    *,
    show_data_points: bool = False,
    quiet: bool = False,
    color: str = "auto",
    show_statistics: bool = False,
    use_baseline: bool = True,
    use_inventory: bool = True,
    exit_zero: bool = False,
) -> Delivery:
    """A scan's outcome rendered in ``config``'s format for ``output`` or stdout, with its hints and exit code."""
    import io

    from minimise.report import render
    from minimise.report.context import scan_context

    fmt = config["format"]
    report = outcome.report
    if outcome.inventory_path is not None and not config["inventory"]:
        config.set("inventory", str(outcome.inventory_path), "found next to the code")
    context = scan_context(report, config, outcome, fmt, baseline_used=use_baseline)
    if fmt == "text":
        report = for_the_terminal(report, outcome.project_root)
    extra: dict[str, Any] = {"show_data_points": show_data_points, "quiet": quiet, "context": context}
    if fmt == "sarif":
        extra["srcroot"] = outcome.project_root
    delivery = Delivery(output=output)
    buffer = io.StringIO()
    render(report, fmt, buffer, colour=False if output else colour_wanted(color, sys.stdout), **extra)
    counts = statistics(report) if show_statistics else []
    if output:
        delivery.output_text = buffer.getvalue() + "".join(line + "\n" for line in counts)
    else:
        delivery.stdout = buffer.getvalue()
        if fmt == "text":
            delivery.stdout += "".join(line + "\n" for line in counts)
        else:
            delivery.stderr.extend(counts)
    if config["baseline"] and use_baseline:
        delivery.stderr.extend(stale_lines(outcome.stale, config["baseline"]))
    if fmt == "text" and not quiet and not outcome.inventory_used and use_inventory and not outcome.partial:
        delivery.stderr.append(
            "minimise: no data inventory (data-inventory.yaml), so findings follow the default policy; "
            "start one with `minimise inventory init`."
        )
    if fmt == "text" and not quiet and report.findings:
        from minimise.ruledocs import rule_url

        published = rule_url("CODE", config["docs_url"])
        delivery.stderr.append(
            "minimise: `minimise explain CODE` describes a rule"
            + (f" (and {published})" if published else "")
            + "; silence one line with `# minimise: ignore[CODE] reason` (or flake8's `# noqa: CODE`)."
        )
    delivery.exit_code = EXIT_OK if exit_zero else exit_status(report, config["fail_on"])
    return delivery


def deliver(outcome: Outcome, config: Config, output: str | None, **how: Any) -> NoReturn:
    """Render a scan's outcome (see ``delivery_of``) to ``output`` or stdout, print the hints, and exit."""
    delivery_of(outcome, config, output, **how).emit()
