"""Writing files so that readers never see half of one, and no write destroys what is not a file.

:func:`atomic_write` writes a temporary file beside the target and renames it over the target.
The temporary is removed on any exit Python sees (exceptions, Ctrl-C, SIGTERM, SIGHUP); one left
by a process killed outright (``kill -9``) carries its process id in its name, and the next write
to the same target removes it once that process is gone.
:func:`write_output` is for ``-o``: a FIFO, terminal, ``/dev/null`` or ``/dev/stdout``-like target
is written in place, never replaced by a regular file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

_TEMP_SUFFIX = ".tmp"


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived during a write: unwind (removing the temporary), then exit."""


def _temp_prefix(path: Path, pid: int) -> str:
    return f".{path.name}.minimise-{pid}."


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporaries of ``path`` left by processes that no longer exist (killed mid-write)."""
    prefix = f".{path.name}.minimise-"
    try:
        with os.scandir(path.parent) as entries:
            siblings = [e.name for e in entries if e.name.startswith(prefix) and e.name.endswith(_TEMP_SUFFIX)]
    except OSError:
        return
    for name in siblings:
        sibling = path.parent / name
        pid_text = name[len(prefix) :].split(".", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            sibling.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


@contextlib.contextmanager
def _signals_unwind() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into an exception for the duration of a write (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def handler(signum: int, _frame: object) -> None:
        caught.append(signum)
        raise _Terminated(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            previous[number] = signal.signal(number, handler)
        except (ValueError, OSError):
            continue
    try:
        yield
    except _Terminated:
        for number, old in previous.items():
            signal.signal(number, old)
        previous.clear()
        os.kill(os.getpid(), caught[0])  # now with the caller's own handling (default: exit)
        raise SystemExit(128 + caught[0]) from None
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def atomic_write(path: Path, text: str, durable: bool = True, tidy: bool = True) -> None:
    """Write through a temporary file in the same folder and rename: readers never see half a file.

    ``tidy=False`` is for a folder that cleans itself (the cache, whose pruning removes old
    temporaries): it skips looking for temporaries left by killed processes and the SIGTERM
    handling, which together cost more than the write of a small file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if tidy:
        _remove_stale_temporaries(path)
    with _signals_unwind() if tidy else contextlib.nullcontext():
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path, os.getpid()), suffix=_TEMP_SUFFIX, dir=str(path.parent))
        try:
            # mkstemp creates 0600 files; a report or inventory should get the usual permissions.
            try:
                mode = path.stat().st_mode & 0o777
            except OSError:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(tmp, mode)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                if durable:
                    os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


def write_output(path: Path, text: str) -> None:
    """Write a report or inventory to ``path`` (``-o``) without ever destroying a non-file.

    * a new path or a regular file: written atomically (a symbolic link to a regular file
      keeps being a link: its target is replaced);
    * a FIFO or character device (``/dev/null``, a terminal, ``/dev/stdout``): written in place;
    * a folder, block device or socket: refused with OSError.
    """
    if str(path).startswith(("/dev/", "/proc/")):
        _write_in_place(path, text)  # /dev/stdout, /proc/self/fd/1: whatever they name, never replaced
        return
    try:
        info = os.stat(path)  # follows links: what the user's path finally names
    except FileNotFoundError:
        if os.path.islink(path):
            raise OSError(2, "is a symbolic link to nothing; remove it or choose another path") from None
        atomic_write(path, text)
        return
    if stat.S_ISREG(info.st_mode):
        atomic_write(Path(os.path.realpath(path)) if os.path.islink(path) else path, text)
    elif stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode):
        _write_in_place(path, text)
    elif stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "is a folder; give a file name")
    else:
        raise OSError(22, "is not a regular file, FIFO or terminal; refusing to write to it")


def _write_in_place(path: Path, text: str) -> None:
    info = os.stat(path)
    if stat.S_ISDIR(info.st_mode) or stat.S_ISBLK(info.st_mode) or stat.S_ISSOCK(info.st_mode):
        raise OSError(22, "is not a regular file, FIFO or terminal; refusing to write to it")
    # Appending never truncates: a regular file behind /dev/stdout keeps what the shell wrote.
    fd = os.open(str(path), os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
