"""Reading the files a project points minimise at (configuration, rules, inventory, baseline) safely.

A scanned repository chooses these paths, so each is: a regular file (never a FIFO, device or
``/dev/zero``), read with a size bound, checked for nesting depth and integer length before a
parser sees it, and, when named by a configuration file, inside the project. Error messages
name the file and a line, never the file's contents.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

MAX_INPUT_BYTES = 4 * 1024 * 1024
MAX_NESTING = 200
MAX_INTEGER_DIGITS = 400
_DIGIT_RUN = re.compile(r"\d{" + str(MAX_INTEGER_DIGITS + 1) + ",}")
_QUOTED = re.compile(r'"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'')
_BRACKETS = re.compile(r"[\[\]{}]")


class InputError(Exception):
    """An input file that cannot be used; the message names the file (and line), never its contents."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def read_input(path: Path, what: str = "", max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes``; InputError otherwise.

    Opened without blocking, so a FIFO cannot hang the scan; checked on the open descriptor, so a
    file swapped for a device between the check and the read is still refused.
    """
    cannot = f"cannot read the {what}" if what else "cannot read"
    too_big = f"file is larger than {_size(max_bytes)}"
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(str(path), flags)
    except OSError as exc:
        raise InputError(str(path), f"{cannot}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(str(path), "not a regular file (a FIFO, device or folder); give a file")
        if info.st_size > max_bytes:
            raise InputError(str(path), too_big)
        chunks = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise InputError(str(path), f"{cannot}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(str(path), too_big)
    return data


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count} bytes"


def check_structure(text: str, shown: str, what: str) -> None:
    """InputError if ``text`` nests brackets too deeply or holds an absurdly long integer.

    Checked on the raw text before parsing: the parsers recurse once per level (and fail with
    RecursionError), and Python refuses to convert integers of more than 4300 digits.
    """
    long_number = _DIGIT_RUN.search(text)
    if long_number is not None:
        line = text.count("\n", 0, long_number.start()) + 1
        raise InputError(f"{shown}:{line}", f"the {what} has a number longer than {MAX_INTEGER_DIGITS} digits")
    if "[" not in text and "{" not in text:
        return
    depth = 0
    unquoted = _QUOTED.sub('""', text) if ('"' in text or "'" in text) else text
    for match in _BRACKETS.finditer(unquoted):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_NESTING:
                line = unquoted.count("\n", 0, match.start()) + 1
                raise InputError(f"{shown}:{line}", f"the {what} is nested more than {MAX_NESTING} levels deep")
        elif depth:
            depth -= 1


def project_of(config_file: Path) -> Path:
    """The project a configuration file belongs to: the nearest folder above it holding ``.git``."""
    folder = config_file.absolute().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, with every symbolic link resolved, is ``folder`` or below it."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


# Configuration keys naming files minimise reads; a configuration file may only name files
# inside its project (the command line may name any).
CONFINED_KEYS = ("inventory", "rules", "baseline")


def confine_setting(
    key: str, value: object, config_file: Path, where: str, error: type[Exception] = InputError
) -> object:
    """A coerced setting read from ``config_file``, checked: files inside the project, ``jobs`` capped.

    ``value`` paths are already resolved (absolute, or relative to the current folder). A
    configuration file may only name files inside its project (the nearest folder above it
    holding ``.git``); only the command line can name one elsewhere. ``jobs`` is capped at the
    CPU count. Raises ``error`` (the caller's exception type) naming ``where``.
    """
    if key in CONFINED_KEYS:
        project = project_of(config_file)
        paths = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        for item in paths:
            if not inside(Path(item), project):
                raise error(f"{where}: {key} {item} is outside the project; only the command line can name it")
    if key == "jobs" and isinstance(value, int) and not isinstance(value, bool):
        return min(value, os.cpu_count() or 1)
    return value
