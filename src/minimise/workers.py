"""Stoppable worker processes: each item runs under a time budget; a worker over it is killed and replaced."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

# Code CPython accepts (2,989 `elif`s, 200 nested brackets) recurses deeper than Python's default
# limit of 1,000 frames in libcst's visitors and in ours. The analysis therefore runs in a thread
# whose stack is big enough for a much higher limit; only the pages touched are ever committed.
DEEP_RECURSION_LIMIT = 30_000
DEEP_STACK_BYTES = 512 * 1024 * 1024
# How long a worker told to stop may take before it is killed.
_STOP_GRACE_SECONDS = 2.0
# The budget counts the worker's processor time where the system tells it (Linux), so a busy
# machine does not push files over it; waiting (a file on a hung network share) counts too, up to
# this many times the budget in wall-clock time.
_WALL_CLOCK_FACTOR = 5
# Python keeps the memory of a freed parse tree (about 700 bytes per source byte) for reuse instead of
# returning it to the system, so a worker that analysed one big file would hold that peak for the rest
# of the scan: a worker grown past this is replaced by a fresh one.
RECYCLE_RSS_BYTES = 512 * 1024 * 1024


class WorkerError(Exception):
    """An exception raised inside a worker process; the message is the worker's own traceback."""


def call_with_deep_stack(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` in a thread with a big stack and a high recursion limit; its exception re-raised here."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread as it was
            outcome["error"] = exc

    old_limit = sys.getrecursionlimit()
    try:
        old_size = threading.stack_size(DEEP_STACK_BYTES)
    except (ValueError, RuntimeError):  # a platform without settable thread stacks: run as is
        return function(*args)
    try:
        sys.setrecursionlimit(max(old_limit, DEEP_RECURSION_LIMIT))
        thread = threading.Thread(target=target, name="minimise-analysis", daemon=True)
        thread.start()
    finally:
        threading.stack_size(old_size)
    try:
        thread.join()
    finally:
        sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def die_with_parent() -> None:
    """Ask Linux to end this process when its parent dies, however it dies (kill -9 included)."""
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


def can_stop_workers() -> bool:
    """Whether worker processes can be started by forking (they inherit the loaded rules and parser)."""
    return hasattr(os, "fork")


def _serve(
    tasks: Connection, replies: Connection, work: Callable[[Any], Any], prepare: Callable[[], None] | None
) -> None:
    """A worker's life: say "ready", then run each item received and send back ("ok", result) or
    ("raised", error, traceback)."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the scan process, which stops its workers

    def loop() -> None:
        if prepare is not None:
            prepare()
        replies.send(("ready", None, ""))
        while True:
            try:
                item = tasks.recv()
            except (EOFError, OSError):
                return
            if item is None:
                return
            try:
                reply: tuple[str, Any, str] = ("ok", work(item), "")
            except BaseException as exc:  # noqa: BLE001 - the scan process decides what a failure means
                reply = ("raised", exc, traceback.format_exc())
            try:
                replies.send(reply)
            except Exception:  # noqa: BLE001 - an exception that cannot be pickled: send its traceback only
                replies.send(("raised", None, reply[2] or repr(reply[1])))

    call_with_deep_stack(loop)


@dataclass
class _Worker:
    process: Any  # multiprocessing's forked Process
    tasks: Connection  # items to the worker
    connection: Connection  # replies from it
    item: Any = None
    started: float = 0.0
    deadline: float = 0.0
    cpu_at_start: float | None = None
    ready: bool = False  # the worker has said it is ready; until then its item's budget has not started

    def stop(self) -> None:
        if self.item is None:
            try:
                # Said, not only shown by closing the pipe: workers forked later hold copies of its end.
                self.tasks.send(None)
            except (OSError, ValueError):
                pass
        for end in (self.tasks, self.connection):
            try:
                end.close()
            except OSError:
                pass
        self.process.join(_STOP_GRACE_SECONDS if self.item is None else 0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


@dataclass
class StoppablePool:
    """At most ``jobs`` forked workers, started only when there is work for them.

    ``work(item)`` runs in a worker. An item still running after ``seconds`` (0: no limit) has its
    worker killed and becomes ``overtime(item)``; a worker that dies (a native crash, the kernel's
    out-of-memory killer) makes its item ``died(item, reason)``. Results come in completion order.
    """

    jobs: int
    seconds: float
    work: Callable[[Any], Any]
    overtime: Callable[[Any], Any]
    died: Callable[[Any, str], Any]
    # Run by each worker when it starts (loading what the first item would load), outside any item's budget.
    prepare: Callable[[], None] | None = None
    recycle_rss: int = RECYCLE_RSS_BYTES
    _idle: list[_Worker] = field(default_factory=list)
    _busy: list[_Worker] = field(default_factory=list)

    def run(
        self,
        items: Iterable[Any],
        meanwhile: Callable[[], None] | None = None,
        refill: Callable[[], Iterable[Any]] | None = None,
    ) -> Iterator[Any]:
        """Results of ``work`` for ``items``; ``meanwhile()`` runs here once the first workers have their items.

        ``refill()`` is asked for more items whenever all are done, and the same workers take them.
        """
        pending = iter(items)
        exhausted = False
        try:
            while True:
                while not exhausted and (self._idle or len(self._busy) < self.jobs):
                    item = next(pending, _END)
                    if item is _END:
                        exhausted = True
                        break
                    self._hand(item)
                if meanwhile is not None:
                    meanwhile()  # the workers start up (and import the parser) while this runs
                    meanwhile = None
                if not self._busy:
                    more = list(refill()) if exhausted and refill is not None else []
                    if not more:
                        return
                    pending, exhausted = iter(more), False
                    continue
                yield from self._collect()
        finally:
            for worker in self._idle + self._busy:
                worker.stop()
            self._idle.clear()
            self._busy.clear()

    def _hand(self, item: Any) -> None:
        worker = self._idle.pop() if self._idle else self._start()
        try:
            worker.tasks.send(item)
        except (OSError, ValueError):  # the worker died while idle: start another
            worker.stop()
            worker = self._start()
            worker.tasks.send(item)
        worker.item = item
        self._start_clock(worker)
        self._busy.append(worker)

    def _start_clock(self, worker: _Worker) -> None:
        worker.started = time.monotonic()
        # A worker still starting up has a long wall-clock deadline: its item's budget starts when it is ready.
        worker.deadline = worker.started + self.seconds * (1 if worker.ready else _WALL_CLOCK_FACTOR)
        worker.cpu_at_start = _cpu_seconds(worker.process.pid)

    def _start(self) -> _Worker:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        # Two one-way pipes, not a socket pair: a scan opens no socket of any kind.
        task_in, task_out = context.Pipe(duplex=False)
        reply_in, reply_out = context.Pipe(duplex=False)
        process = context.Process(
            target=_serve, args=(task_in, reply_out, self.work, self.prepare), daemon=True, name="minimise-worker"
        )
        process.start()
        # Only the worker holds its ends, so its death is seen as the end of the pipe.
        task_in.close()
        reply_out.close()
        return _Worker(process, task_out, reply_in)

    def _collect(self) -> Iterator[Any]:
        """Wait for the first worker to finish, die or run over its budget; yield what that gives."""
        timeout = None
        if self.seconds > 0:
            timeout = max(0.0, min(worker.deadline for worker in self._busy) - time.monotonic())
        handles: list[Any] = [worker.connection for worker in self._busy]
        handles += [worker.process.sentinel for worker in self._busy]
        ready = set(wait(handles, timeout))
        now = time.monotonic()
        for worker in list(self._busy):
            item = worker.item
            if worker.connection in ready:
                try:
                    status, value, trace = worker.connection.recv()
                except (EOFError, OSError):
                    self._retire(worker)
                    yield self.died(item, _death(worker))
                    continue
                if status == "ready":
                    worker.ready = True
                    self._start_clock(worker)
                    continue
                worker.item = None
                self._busy.remove(worker)
                if (_rss_bytes(worker.process.pid) or 0) > self.recycle_rss:
                    worker.process.kill()  # idle, nothing in flight: no need to wait for it to wind down
                    worker.stop()
                else:
                    self._idle.append(worker)
                if status == "raised":
                    if isinstance(value, BaseException):
                        raise value from WorkerError(trace)
                    raise WorkerError(trace)
                yield value
            elif worker.process.sentinel in ready:
                self._retire(worker)
                yield self.died(item, _death(worker))
            elif self.seconds > 0 and now >= worker.deadline and not self._extend(worker, now):
                self._retire(worker)
                yield self.overtime(item)

    def _extend(self, worker: _Worker, now: float) -> bool:
        """Move the deadline of a worker that has had less processor time than the budget; False if over it."""
        if now - worker.started >= self.seconds * _WALL_CLOCK_FACTOR or worker.cpu_at_start is None:
            return False
        cpu = _cpu_seconds(worker.process.pid)
        if cpu is None:
            return False
        left = self.seconds - (cpu - worker.cpu_at_start)
        if left <= 0.01:
            return False
        worker.deadline = now + left
        return True

    def _retire(self, worker: _Worker) -> None:
        self._busy.remove(worker)
        worker.stop()


def _cpu_seconds(pid: int | None) -> float | None:
    """User plus system processor time of process ``pid`` so far, where /proc tells it; else None."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            fields = stream.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _rss_bytes(pid: int | None) -> int | None:
    """Resident memory of process ``pid``, where /proc tells it; else None."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, TypeError):
        return None


def _death(worker: _Worker) -> str:
    worker.process.join(_STOP_GRACE_SECONDS)
    code = worker.process.exitcode
    if code is not None and code < 0:
        try:
            return f"the analysing process was ended by {signal.Signals(-code).name}"
        except ValueError:
            return f"the analysing process was ended by signal {-code}"
    return f"the analysing process stopped (exit status {code})"


_END = object()
