"""Running the pipeline on files: read, prefilter, parse, extract, locate; in parallel, with a cache."""

from __future__ import annotations

import functools
import gc
import itertools
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from minimise.analysis.summary import REACHED_ONLY
from minimise.cache import ResultCache, deferred_key
from minimise.discover import Target, module_name
from minimise.knowledge import Knowledge, load_knowledge
from minimise.literals import LITERAL_KIND, literal_points
from minimise.model import DataPoint, FileResult, ScanError
from minimise.redact import redact_text
from minimise.source import MAX_SOURCE_BYTES, SourceError, decode_source
from minimise.suppress import find_suppressions

# Every error message of a file that was not analysed because of its budget starts so (MIN001).
OVER_BUDGET = "could not be analysed: "
DEFAULT_TIME_LIMIT_SECONDS = 20


@dataclass(frozen=True)
class EngineOptions:
    """What changes analysis results; part of the cache key."""

    extra_rules: tuple[str, ...] = ()
    non_personal: tuple[str, ...] = ()
    prefilter: bool = True
    debug: bool = False
    # The per-file budget: a file bigger, or whose analysis takes longer, is reported (MIN001), not
    # analysed. Not part of the cache key: a result over budget is never cached.
    time_limit: float = DEFAULT_TIME_LIMIT_SECONDS  # seconds; 0: no limit
    size_limit: int = MAX_SOURCE_BYTES  # bytes

    def knowledge(self) -> Knowledge:
        return load_knowledge(self.extra_rules, self.non_personal)


def analyse_text(text: str, display: str, knowledge: Knowledge) -> tuple[DataPoint, ...]:
    """The data points of one module analysed on its own: its own summary linked with itself."""
    points, summary = analyse_module(text, display, knowledge)
    if summary is None:
        return points
    from minimise.analysis.project import link
    from minimise.analysis.sessions import place_sessions
    from minimise.analysis.summary import summary_from_json

    parsed = summary_from_json(display, summary)
    if parsed is None:
        return points
    merged = merge_points(points, link([parsed], knowledge))
    return tuple(place_sessions(list(merged), [parsed], knowledge))


def _prompt_calls(knowledge: Knowledge) -> re.Pattern[str]:
    """A terminal prompt's name as a word (`input`, `getpass`): a text without one never prompts (an alias
    of it is imported under that name)."""
    return _prompt_pattern(tuple(sorted({name.rsplit(".", 1)[-1] for name in knowledge.input_functions})))


@functools.lru_cache(maxsize=8)
def _prompt_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(name) for name in names) + r")\b")


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
    from minimise.analysis.evaluate import ModuleAnalyser
    from minimise.parsing import parse_module
    from minimise.positions import find_lines, split_lines

    # libcst trees and our values hold no reference cycles, so the cyclic collector only
    # costs time here (about 9% on real apps); refcounting frees everything after the file.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        module = parse_module(text)
        analyser = ModuleAnalyser(knowledge, module_name(display), display, display.endswith("__init__.py"))
        analyser.may_prompt = _prompt_calls(knowledge).search(text) is not None
        raw = analyser.run(module)
    finally:
        if was_enabled:
            gc.enable()
    exports = analyser.exports
    wanted = [p.node for p in raw] + exports.nodes() + [code for _, code in analyser.stand_ins.values()]
    # Finding lines walks the whole tree: most modules need none.
    lines = find_lines(module, wanted) if wanted else {}
    for made_up, (_, code) in analyser.stand_ins.items():
        if id(code) in lines:
            lines[made_up] = lines[id(code)]
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


def analyse_file(
    target: Target, options: EngineOptions, knowledge: Knowledge, prefilter: object | None, defer: bool = False
) -> FileResult:
    """One file through the pipeline; every failure becomes a ScanError, never an exception."""
    display = target.display
    try:
        info = target.path.stat()
        if not stat.S_ISREG(info.st_mode):
            return FileResult(display, error=ScanError(display, 0, "not a regular file; skipped"))
        if info.st_size > options.size_limit:
            return over_size(display, options)
        raw = target.path.read_bytes()
    except FileNotFoundError:
        return FileResult(display, error=ScanError(display, 0, "file vanished during the scan"))
    except OSError as exc:
        return FileResult(display, error=ScanError(display, 0, f"cannot read: {exc.strerror or exc}"))
    return analyse_bytes(raw, display, options, knowledge, prefilter, defer)


def analyse_bytes(
    raw: bytes,
    display: str,
    options: EngineOptions,
    knowledge: Knowledge,
    prefilter: object | None,
    defer: bool = False,
) -> FileResult:
    """``defer``: leave a file that only a module importing it could need unparsed (FileResult.deferred)."""
    if len(raw) > options.size_limit:
        return over_size(display, options)
    if not raw.strip() and display.rsplit("/", 1)[-1] == "__init__.py":
        return FileResult(display)  # an empty package marker is normal, not an error
    try:
        text = decode_source(raw)
    except SourceError as exc:
        return FileResult(display, error=ScanError(display, exc.line, str(exc)))
    suppressions = find_suppressions(text)
    summary_only = reached_only = False
    if prefilter is not None and not prefilter.wants(raw):  # type: ignore[attr-defined]
        reexports = display.endswith("__init__.py") and b"import" in raw
        # A helper that only imports can need matters when one does, even one that passes its
        # parameters on to another helper without naming a sink itself.
        reached_only = not reexports and b"def " in raw and prefilter.may_defer(raw)  # type: ignore[attr-defined]
        unused = not reexports and not reached_only and not prefilter.wants_summary(raw)  # type: ignore[attr-defined]
        if unused or (defer and reached_only):
            # Personal data written as literals is found without the parser, whatever the names say.
            literals = literal_points(text, display, knowledge.sensitivity_of)
            return FileResult(display, data_points=literals, suppressions=suppressions, deferred=not unused)
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
        if isinstance(exc, MemoryError):
            return FileResult(
                display, error=ScanError(display, 0, f"{OVER_BUDGET}out of memory"), suppressions=suppressions
            )
        return FileResult(
            display,
            error=ScanError(display, 0, f"internal error: {type(exc).__name__}: {exc}".replace("\n", " ")),
            suppressions=suppressions,
        )
    if summary_only:
        literals = tuple(p for p in points if p.sink_kind == LITERAL_KIND)
        if summary is not None and reached_only:
            summary[REACHED_ONLY] = True
        return FileResult(display, data_points=literals, suppressions=suppressions, summary=summary)
    return FileResult(display, data_points=points, suppressions=suppressions, summary=summary)


def _looks_like_python2(text: str) -> bool:
    return bool(re.search(r"^\s*print\s+[^(\s=]|^\s*exec\s+\"|except\s+\w+\s*,\s*\w+\s*:", text, re.M))


# ----------------------------------------------------------------------- budget
def over_size(display: str, options: EngineOptions) -> FileResult:
    limit = options.size_limit / (1024 * 1024)
    shown = f"{limit:g} MiB" if limit >= 1 else f"{options.size_limit} bytes"
    return FileResult(display, error=ScanError(display, 0, f"{OVER_BUDGET}larger than {shown}"))


def over_time(display: str, options: EngineOptions) -> FileResult:
    return FileResult(display, error=ScanError(display, 0, f"{OVER_BUDGET}took longer than {options.time_limit:g} s"))


_WARM_UP_SOURCE = b"import logging\nlog = logging.getLogger()\ndef f(user):\n    log.info(user.email)\n"
_warmed: set[int] = set()


def warm_up(options: EngineOptions, knowledge: Knowledge) -> None:
    """Analyse a tiny module once, so the parser and lazily read rules are loaded before the first file.

    Workers do it when they start, before their first file's budget starts (see StoppablePool.prepare).
    """
    if id(knowledge) in _warmed:
        return
    _warmed.add(id(knowledge))
    analyse_bytes(_WARM_UP_SOURCE, "warm_up.py", options, knowledge, None)


def _worker_died(display: str, reason: str) -> FileResult:
    return FileResult(display, error=ScanError(display, 0, f"internal error: {reason}"))


def analyse_bounded(
    raw: bytes, display: str, options: EngineOptions, knowledge: Knowledge, prefilter: object | None
) -> FileResult:
    """:func:`analyse_bytes` under the time budget, in a worker process that is killed when over it."""
    from minimise.workers import StoppablePool, call_with_deep_stack, can_stop_workers

    if options.time_limit <= 0 or not can_stop_workers() or len(raw) > options.size_limit:
        return call_with_deep_stack(analyse_bytes, raw, display, options, knowledge, prefilter)  # type: ignore[no-any-return]
    warm_up(options, knowledge)  # here, once: every later single-file worker inherits it
    pool = StoppablePool(
        jobs=1,
        seconds=options.time_limit,
        work=lambda _item: analyse_bytes(raw, display, options, knowledge, prefilter),
        overtime=lambda _item: over_time(display, options),
        died=lambda _item, reason: _worker_died(display, reason),
        prepare=lambda: warm_up(options, knowledge),
    )
    return next(iter(pool.run([display])))  # type: ignore[no-any-return]


# ----------------------------------------------------------------------- parallel
# What a worker is handed: the target's index, the target, and its bytes when the scan process
# already read them (to compute the cache key), else None: the worker reads the file itself.
# The last item says whether the file may be deferred (see run_files' ``reach``).
_Task = tuple[int, Target, bytes | None, bool]


def run_files(
    targets: list[Target],
    options: EngineOptions,
    jobs: int = 0,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
    defer: bool = False,
    reach: Callable[[dict[int, FileResult]], Iterable[int]] | None = None,
) -> Iterator[FileResult]:
    """Yield one FileResult per target, in the targets' order, whatever the job count.

    ``defer`` leaves unparsed the files only an importing module could need (see minimise.deferral);
    the cache keeps that answer apart from the file's full result, which it prefers. ``reach(results)``
    names the deferred ones that are needed after all, once every file has its result: they are
    analysed by the same workers, round after round, and the results are yielded when none is left.

    Files are read one at a time as a worker becomes free (never all up front), cache hits are
    answered without a worker, and workers are started only when there is work for them.
    ``meanwhile()`` is run once before the last result is yielded: while the first workers start
    when there are any, so the caller's own work overlaps theirs.
    """
    knowledge = options.knowledge()
    prefilter = None
    if options.prefilter:
        from minimise.prefilter import Prefilter

        prefilter = Prefilter(knowledge)
    cache = ResultCache(cache_dir, options, knowledge) if cache_dir is not None else None
    total = len(targets)
    results: dict[int, FileResult] = {}
    keys: dict[int, str] = {}
    every_key: dict[int, str] = {}
    done = 0
    next_index = 0
    hold = reach is not None  # a deferred result may still be replaced: yield nothing before the end
    if progress:
        progress(done, total)

    def tasks() -> Iterator[_Task]:
        """The targets the cache cannot answer; a hit is recorded as a result on the way."""
        nonlocal done
        for index, target in enumerate(targets):
            raw = _cached_read(target, options) if cache is not None else None
            if cache is None or raw is None:
                yield index, target, None, defer
                continue
            key = every_key[index] = cache.key(raw, target.display)
            hit = cache.get(key, target.display)
            if hit is None and defer:
                hit = cache.get(deferred_key(key), target.display)
                hit = replace(hit, deferred=True) if hit is not None else None
            if hit is None:
                keys[index] = key
                yield index, target, raw, defer
                continue
            results[index] = hit
            done += 1
            if progress:
                progress(done, total)

    def analyse(task: _Task) -> tuple[int, FileResult]:
        index, target, raw, may_defer = task
        if raw is None:
            return index, analyse_file(target, options, knowledge, prefilter, may_defer)
        return index, analyse_bytes(raw, target.display, options, knowledge, prefilter, may_defer)

    def refill() -> list[_Task]:
        """The deferred files ``reach`` now needs, as tasks for a full analysis."""
        if reach is None:
            return []
        wanted = sorted({i for i in reach(results) if i in results and results[i].deferred})
        for index in wanted:
            del results[index]
            if index in every_key:
                keys[index] = every_key[index]
        return [(index, targets[index], None, False) for index in wanted]

    def drain() -> Iterator[FileResult]:
        nonlocal next_index
        while next_index in results and not hold:
            yield results.pop(next_index)
            next_index += 1

    jobs = min(jobs, os.cpu_count() or 1) if jobs > 0 else (os.cpu_count() or 1)
    jobs = min(jobs, max(1, total // 4))
    # The cache answers every file of a warm re-scan: look for the first miss before loading the
    # worker machinery (multiprocessing) at all.
    pending = tasks()
    first = next(pending, None)
    if first is None:
        if meanwhile is not None:
            meanwhile()
            meanwhile = None
        again = refill()
        if not again:
            hold = False
            yield from drain()
            return
        pending = iter(again[1:])
        first = again[0]
    from minimise.workers import StoppablePool, call_with_deep_stack, can_stop_workers

    work = itertools.chain([first], pending)
    if (options.time_limit > 0 or jobs > 1) and can_stop_workers():
        if "libcst" in sys.modules:
            warm_up(options, knowledge)  # the parser is loaded anyway: the workers inherit what it loads
        pool = StoppablePool(
            jobs=jobs,
            seconds=options.time_limit,
            work=analyse,
            overtime=lambda task: (task[0], over_time(task[1].display, options)),
            died=lambda task, reason: (task[0], _worker_died(task[1].display, reason)),
            prepare=lambda: warm_up(options, knowledge),
        )
        finished: Iterator[tuple[int, FileResult]] = pool.run(work, meanwhile, refill)
        meanwhile = None
    else:
        if meanwhile is not None and reach is not None:
            meanwhile()  # what reach() reads (the project context) must be there before the first refill
            meanwhile = None
        finished = _in_turn(work, lambda task: call_with_deep_stack(analyse, task), refill)
    for index, result in finished:
        key = keys.pop(index, None)
        if cache is not None and key is not None and not _over_budget(result):
            cache.put(deferred_key(key) if result.deferred else key, result)
        results[index] = result
        done += 1
        if progress:
            progress(done, total)
        yield from drain()
    if meanwhile is not None:
        meanwhile()
    hold = False
    yield from drain()


def _in_turn(
    work: Iterable[_Task],
    analyse: Callable[[_Task], tuple[int, FileResult]],
    refill: Callable[[], list[_Task]],
) -> Iterator[tuple[int, FileResult]]:
    """Each task's result in this process, then those of each round ``refill`` adds."""
    batch: Iterable[_Task] = work
    while True:
        for task in batch:
            yield analyse(task)
        batch = refill()
        if not batch:
            return


def _cached_read(target: Target, options: EngineOptions) -> bytes | None:
    """The file's bytes for its cache key, or None when it is not a regular file within the size budget."""
    try:
        info = target.path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > options.size_limit:
            return None
        return target.path.read_bytes()
    except OSError:
        return None


def _over_budget(result: FileResult) -> bool:
    # A time-out depends on the machine's load, so it is tried again next run rather than cached.
    return result.error is not None and result.error.message.startswith(OVER_BUDGET)
