"""Running the pipeline on files: read, prefilter, parse, extract, locate; in parallel, with a cache."""

from __future__ import annotations

import gc
import os
import signal
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from minimise.cache import ResultCache
from minimise.discover import Target, module_name
from minimise.knowledge import Knowledge, load_knowledge
from minimise.literals import LITERAL_KIND, literal_points
from minimise.model import DataPoint, FileResult, ScanError
from minimise.redact import redact_text
from minimise.source import MAX_SOURCE_BYTES, SourceError, decode_source
from minimise.suppress import find_suppressions


@dataclass(frozen=True)
class EngineOptions:
    """What changes analysis results; part of the cache key."""

    extra_rules: tuple[str, ...] = ()
    non_personal: tuple[str, ...] = ()
    prefilter: bool = True
    debug: bool = False

    def knowledge(self) -> Knowledge:
        return load_knowledge(self.extra_rules, self.non_personal)


@dataclass
class RunStats:
    files: int = 0
    parsed: int = 0
    skipped_by_prefilter: int = 0
    cached: int = 0
    lines: int = 0
    errors: list[str] = field(default_factory=list)


def analyse_text(text: str, display: str, knowledge: Knowledge) -> tuple[DataPoint, ...]:
    """The data points of one module analysed on its own: its own summary linked with itself."""
    points, summary = analyse_module(text, display, knowledge)
    if summary is None:
        return points
    from minimise.analysis.project import link
    from minimise.analysis.summary import summary_from_json

    parsed = summary_from_json(display, summary)
    return merge_points(points, link([parsed], knowledge) if parsed is not None else [])


def merge_points(points: Iterable[DataPoint], extra: Iterable[DataPoint]) -> tuple[DataPoint, ...]:
    """Points plus the extra ones on a line, action and category not already covered, sorted."""
    merged = {(p.path, p.line, p.action, p.category): p for p in points}
    for point in extra:
        merged.setdefault((point.path, point.line, point.action, point.category), point)
    return tuple(sorted(merged.values(), key=DataPoint.sort_key))


def analyse_module(
    text: str, display: str, knowledge: Knowledge
) -> tuple[tuple[DataPoint, ...], dict[str, object] | None]:
    """Parse ``text`` with libcst: the module's own data points, positioned and sorted, and its summary."""
    import libcst as cst

    from minimise.analysis.evaluate import ModuleAnalyser
    from minimise.positions import find_lines, split_lines

    # libcst trees and our values hold no reference cycles, so the cyclic collector only
    # costs time here (about 9% on real apps); refcounting frees everything after the file.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        module = cst.parse_module(text)
        analyser = ModuleAnalyser(knowledge, module_name(display), display, display.endswith("__init__.py"))
        raw = analyser.run(module)
    finally:
        if was_enabled:
            gc.enable()
    exports = analyser.exports
    wanted = [p.node for p in raw] + exports.nodes()
    # Finding lines walks the whole tree: most modules need none.
    lines = find_lines(module, wanted) if wanted else {}
    source_lines = split_lines(text)
    top_classes = {name: info for name, info in analyser.classes.items() if name in exports.class_bases}
    summary = exports.finish(
        lines, lambda line, ident: _column(source_lines, line, ident), analyser.module_scope.vars, top_classes
    )
    points: dict[tuple[int, str, str], DataPoint] = {}
    for point in raw:
        line = lines.get(id(point.node), 1)
        key = (line, point.action, point.category)
        if key in points:
            continue
        column = _column(source_lines, line, point.identifier)
        trace = point.trace + _explain(source_lines, line, point)
        points[key] = DataPoint(
            path=display,
            line=line,
            column=column,
            action=point.action,
            category=point.category,
            sensitivity=knowledge.sensitivity_of(point.category),
            identifier=redact_text(point.identifier),  # string keys can hold literal personal data
            via=point.via,
            protection=point.protection,
            scope=point.scope,
            sink_kind=point.kind,
            trace=trace,
            expires=point.expires,
        )
    literals = literal_points(text, display, knowledge.sensitivity_of)
    return tuple(sorted([*points.values(), *literals], key=DataPoint.sort_key)), summary.to_json()


_PROTECTION_WORDS = {
    "none": "no hashing, encryption, masking or tokenising call was seen on the way",
    "hashed": "a hashing call or a hashed name protects it",
    "encrypted": "an encryption call, an encrypted field type or an encrypted name protects it",
    "masked": "a masking or redacting helper, or a secret type, protects it",
    "tokenised": "a tokenising call or name protects it",
}


def _explain(source_lines: list[str], line: int, point: object) -> tuple[str, ...]:
    """Plain steps for `minimise explain`: the carrying line and why protection was judged so."""
    code = " ".join(source_lines[line - 1].split()) if 0 < line <= len(source_lines) else ""
    if len(code) > 100:
        code = code[:97] + "..."
    steps = []
    if code:
        steps.append(f"carried by `{code}` into {point.via} ({point.kind or point.action})")  # type: ignore[attr-defined]
    steps.append(f"protection {point.protection}: {_PROTECTION_WORDS.get(point.protection, '')}")  # type: ignore[attr-defined]
    return tuple(steps)


def _column(source_lines: list[str], line: int, identifier: str) -> int:
    """1-based column of the identifier on its line, else of the line's first character."""
    if 0 < line <= len(source_lines):
        text = source_lines[line - 1]
        name = identifier.rsplit(".", 1)[-1]
        at = text.find(name) if name else -1
        if at >= 0:
            return at + 1
        return len(text) - len(text.lstrip()) + 1
    return 1


def analyse_file(target: Target, options: EngineOptions, knowledge: Knowledge, prefilter: object | None) -> FileResult:
    """One file through the pipeline; every failure becomes a ScanError, never an exception."""
    display = target.display
    try:
        info = target.path.stat()
        if not stat.S_ISREG(info.st_mode):
            return FileResult(display, error=ScanError(display, 0, "not a regular file; skipped"))
        size = info.st_size
        if size > MAX_SOURCE_BYTES:
            return FileResult(
                display,
                error=ScanError(display, 0, f"file is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB; skipped"),
            )
        raw = target.path.read_bytes()
    except FileNotFoundError:
        return FileResult(display, error=ScanError(display, 0, "file vanished during the scan"))
    except OSError as exc:
        return FileResult(display, error=ScanError(display, 0, f"cannot read: {exc.strerror or exc}"))
    return analyse_bytes(raw, display, options, knowledge, prefilter)


def analyse_bytes(
    raw: bytes, display: str, options: EngineOptions, knowledge: Knowledge, prefilter: object | None
) -> FileResult:
    if not raw.strip() and display.rsplit("/", 1)[-1] == "__init__.py":
        return FileResult(display)  # an empty package marker is normal, not an error
    try:
        text = decode_source(raw)
    except SourceError as exc:
        return FileResult(display, error=ScanError(display, exc.line, str(exc)))
    suppressions = find_suppressions(text)
    summary_only = False
    if prefilter is not None and not prefilter.wants(raw):  # type: ignore[attr-defined]
        reexports = display.endswith("__init__.py") and b"import" in raw
        if not reexports and not prefilter.wants_summary(raw):  # type: ignore[attr-defined]
            # Personal data written as literals is found without the parser, whatever the names say.
            literals = literal_points(text, display, knowledge.sensitivity_of)
            return FileResult(display, data_points=literals, suppressions=suppressions)
        # Nothing personal is named here, but its functions may hand their parameters to a sink.
        summary_only = True
    try:
        points, summary = analyse_module(text, display, knowledge)
    except RecursionError:
        if summary_only:
            return FileResult(display, suppressions=suppressions)
        return FileResult(display, error=ScanError(display, 0, "code nested too deeply to analyse"))
    except Exception as exc:  # noqa: BLE001 - report and continue with the other files
        import libcst as cst

        if summary_only:
            return FileResult(display, suppressions=suppressions)  # files without personal names stay silent
        if isinstance(exc, cst.ParserSyntaxError):
            message = exc.message if hasattr(exc, "message") else str(exc)
            hint = " (Python 2 code?)" if _looks_like_python2(text) else ""
            line = exc.raw_line
            if message.startswith("tokenizer error") and line <= 1:
                from minimise.source import tokenizer_error_line

                line = tokenizer_error_line(text) or line
            return FileResult(
                display,
                error=ScanError(display, line, f"cannot parse: {message}{hint}".replace("\n", " ")),
                suppressions=suppressions,
            )
        if options.debug:
            raise
        return FileResult(
            display,
            error=ScanError(display, 0, f"internal error: {type(exc).__name__}: {exc}".replace("\n", " ")),
            suppressions=suppressions,
        )
    if summary_only:
        literals = tuple(p for p in points if p.sink_kind == LITERAL_KIND)
        return FileResult(display, data_points=literals, suppressions=suppressions, summary=summary)
    return FileResult(display, data_points=points, suppressions=suppressions, summary=summary)


def _looks_like_python2(text: str) -> bool:
    import re

    return bool(re.search(r"^\s*print\s+[^(\s=]|^\s*exec\s+\"|except\s+\w+\s*,\s*\w+\s*:", text, re.M))


# ----------------------------------------------------------------------- parallel
_WORKER: dict[str, object] = {}


def _die_with_parent() -> None:
    """Ask Linux to end this worker when the scan process dies, however it dies (kill -9 included)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before the request took effect
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _worker_init(options: EngineOptions) -> None:
    _die_with_parent()
    knowledge = options.knowledge()
    from minimise.prefilter import Prefilter

    _WORKER["options"] = options
    _WORKER["knowledge"] = knowledge
    _WORKER["prefilter"] = Prefilter(knowledge) if options.prefilter else None


def _worker_run(item: tuple[Target, bytes | None]) -> FileResult:
    target, raw = item
    options: EngineOptions = _WORKER["options"]  # type: ignore[assignment]
    knowledge: Knowledge = _WORKER["knowledge"]  # type: ignore[assignment]
    if raw is None:
        return analyse_file(target, options, knowledge, _WORKER["prefilter"])
    return analyse_bytes(raw, target.display, options, knowledge, _WORKER["prefilter"])


def run_files(
    targets: list[Target],
    options: EngineOptions,
    jobs: int = 0,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[FileResult]:
    """Yield one FileResult per target, in the targets' order, whatever the job count."""
    knowledge = options.knowledge()
    prefilter = None
    if options.prefilter:
        from minimise.prefilter import Prefilter

        prefilter = Prefilter(knowledge)
    cache = ResultCache(cache_dir, options, knowledge) if cache_dir is not None else None
    pending: list[tuple[int, Target, bytes | None, str | None]] = []
    results: dict[int, FileResult] = {}
    for index, target in enumerate(targets):
        if cache is None:
            pending.append((index, target, None, None))
            continue
        try:
            raw = (
                target.path.read_bytes()
                if target.path.is_file() and target.path.stat().st_size <= MAX_SOURCE_BYTES
                else None
            )
        except OSError:
            raw = None
        if raw is None:
            pending.append((index, target, None, None))
            continue
        cache_key = cache.key(raw, target.display)
        hit = cache.get(cache_key, target.display)
        if hit is not None:
            results[index] = hit
        else:
            pending.append((index, target, raw, cache_key))
    total = len(targets)
    done = len(results)
    if progress:
        progress(done, total)
    jobs = min(jobs, os.cpu_count() or 1) if jobs > 0 else (os.cpu_count() or 1)
    jobs = min(jobs, max(1, len(pending) // 4)) if len(pending) > 1 else 1
    next_index = 0

    def drain() -> Iterator[FileResult]:
        nonlocal next_index
        while next_index in results:
            yield results.pop(next_index)
            next_index += 1

    def finish(index: int, key: str | None, result: FileResult) -> Iterator[FileResult]:
        """Cache a fresh result, report progress, and release every result now in order."""
        nonlocal done
        if cache is not None and key is not None:
            cache.put(key, result)
        results[index] = result
        done += 1
        if progress:
            progress(done, total)
        yield from drain()

    if jobs <= 1:
        for index, target, raw, key in pending:
            result = (
                analyse_bytes(raw, target.display, options, knowledge, prefilter)
                if raw is not None
                else analyse_file(target, options, knowledge, prefilter)
            )
            yield from finish(index, key, result)
    else:
        import multiprocessing

        context = multiprocessing.get_context("fork") if hasattr(os, "fork") else multiprocessing.get_context()
        from concurrent.futures import ProcessPoolExecutor

        # Import the parser once here: forked workers share it instead of importing it each.
        import minimise.analysis.evaluate  # noqa: F401
        import minimise.positions  # noqa: F401

        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_worker_init, initargs=(options,)
        ) as pool:
            items = [(target, raw) for _, target, raw, _ in pending]
            for (index, _target, _raw, key), result in zip(
                pending, pool.map(_worker_run, items, chunksize=4), strict=False
            ):
                yield from finish(index, key, result)
    yield from drain()
