"""Running git on repositories we do not trust: no program the repository configures ever runs.

A scanned repository controls its own ``.git/config`` (and files it includes), its
``.gitattributes`` and its hooks. Any of these can name programs git would run for us:
``core.fsmonitor``, ``filter.<driver>.clean/smudge/process``, ``diff.<driver>.textconv`` and
``diff.<driver>.command``, ``diff.external``, ``core.pager``, hooks. Every git call in minimise
goes through :func:`run_git`, which overrides all of them on the command line (``-c``) and in
the environment (``GIT_CONFIG_*``, inherited by any git process git itself starts).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

# Overrides that do not depend on the repository; per-driver filter overrides are added
# by :func:`_filter_overrides` once the driver names are known.
_FIXED_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("core.quotepath", "off"),
    ("diff.external", ""),
    ("core.untrackedCache", "false"),
    ("core.splitIndex", "false"),
    ("core.sshCommand", ""),
    ("core.askPass", ""),
    ("credential.helper", ""),
    ("protocol.allow", "never"),
)
# Variables that would make git run a program or read a different repository configuration
# than the one we override.
_DROPPED_ENV = (
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_TRACE",
    "GIT_TRACE2",
    "GIT_TRACE2_EVENT",
    "GIT_TRACE2_PERF",
)


class GitError(Exception):
    """git is missing, the folder is not a repository, or the revision or path is unknown."""


def _environment(overrides: Sequence[tuple[str, str]]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV and not k.startswith("GIT_CONFIG_KEY_")}
    env = {k: v for k, v in env.items() if not k.startswith("GIT_CONFIG_VALUE_")}
    env.update(
        GIT_OPTIONAL_LOCKS="0",
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        PAGER="cat",
        LC_ALL="C",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_CONFIG_COUNT=str(len(overrides)),
    )
    for index, (key, value) in enumerate(overrides):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def _command(overrides: Sequence[tuple[str, str]], args: Sequence[str]) -> list[str]:
    command = ["git", "--no-pager"]
    for key, value in overrides:
        command += ["-c", f"{key}={value}"]
    return [*command, *args]


def _raw(args: Sequence[str], cwd: Path, overrides: Sequence[tuple[str, str]], stdin: bytes | None) -> bytes:
    try:
        done = subprocess.run(
            _command(overrides, args),
            cwd=str(cwd),
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            env=_environment(overrides),
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except OSError as exc:
        raise GitError(f"cannot run git in {cwd}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


_FILTER_CACHE: dict[str, tuple[tuple[str, str], ...]] = {}


def _filter_overrides(cwd: Path) -> tuple[tuple[str, str], ...]:
    """Empty ``clean``/``smudge``/``process`` for every filter and diff driver the config names.

    Driver names are read with ``git config`` (which runs nothing); an empty command is
    "no filter" to git, and ``required=false`` keeps a disabled filter from being an error.
    """
    key = str(cwd)
    cached = _FILTER_CACHE.get(key)
    if cached is not None:
        return cached
    try:
        listing = _raw(["config", "--null", "--name-only", "--list"], cwd, _FIXED_OVERRIDES, None)
    except GitError:
        listing = b""
    overrides: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for raw_name in listing.split(b"\0"):
        name = raw_name.decode("utf-8", "surrogateescape").strip()
        section, _, rest = name.partition(".")
        driver, _, _ = rest.rpartition(".")
        if not driver or (section.lower(), driver) in seen:
            continue
        if section.lower() == "filter":
            seen.add(("filter", driver))
            overrides += [(f"filter.{driver}.{k}", "") for k in ("clean", "smudge", "process")]
            overrides.append((f"filter.{driver}.required", "false"))
        elif section.lower() == "diff":
            seen.add(("diff", driver))
            overrides += [(f"diff.{driver}.{k}", "") for k in ("textconv", "command")]
    result = tuple(overrides)
    _FILTER_CACHE[key] = result
    return result


def run_git(args: Sequence[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    """Run ``git ARGS`` in ``cwd`` with every repository-configured program disabled; stdout bytes.

    Callers put ``--end-of-options`` (or a verified commit id) before refs and ``--`` before
    paths; this function only makes sure nothing the repository configured can run.
    """
    overrides = _FIXED_OVERRIDES + _filter_overrides(cwd)
    return _raw(args, cwd, overrides, stdin)


def top_level(cwd: Path) -> Path:
    """The repository's top folder for ``cwd``."""
    return Path(run_git(["rev-parse", "--show-toplevel"], cwd).decode("utf-8", "surrogateescape").strip())


def verify_commit(top: Path, ref: str) -> str:
    """The full commit id ``ref`` names, or GitError; ``ref`` can never be read as an option."""
    if not ref or ref.startswith("-") or "\0" in ref or len(ref) > 1024:
        raise GitError(f"invalid revision {ref!r}")
    try:
        out = run_git(["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"], top)
    except GitError:
        raise GitError(f"unknown revision {ref!r}: no such branch, tag or commit") from None
    commit = out.decode("ascii", "replace").strip()
    if not commit or any(c not in "0123456789abcdef" for c in commit):
        raise GitError(f"unknown revision {ref!r}: no such branch, tag or commit")
    return commit


def is_tracked(top: Path, path: Path) -> bool:
    """Whether git tracks ``path`` (a file or anything under a folder) in the repository at ``top``."""
    try:
        out = run_git(["ls-files", "-z", "--", ":(literal)" + str(path)], top)
    except GitError:
        return False
    return bool(out.strip(b"\0"))


def iter_blobs(top: Path, shas: Sequence[str], max_size: int) -> Iterator[tuple[str, bytes | None]]:
    """(sha, content) for each blob, streamed from ``git cat-file --batch``; None above ``max_size``.

    One blob at a time is held in memory, and a blob over the limit is skipped unread, so the
    memory used is bounded by ``max_size`` whatever the revision holds.
    """
    if not shas:
        return
    overrides = _FIXED_OVERRIDES + _filter_overrides(top)
    try:
        process = subprocess.Popen(
            _command(overrides, ["cat-file", "--batch"]),
            cwd=str(top),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_environment(overrides),
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    assert process.stdin is not None and process.stdout is not None
    try:
        for sha in shas:
            if any(c not in "0123456789abcdef" for c in sha):
                raise GitError(f"not an object id: {sha!r}")
            process.stdin.write(f"{sha}\n".encode())
            process.stdin.flush()
            header = process.stdout.readline(4096).decode("ascii", "replace").split()
            if len(header) != 3 or header[0] != sha or not header[2].isdigit():
                raise GitError(f"unexpected output from git cat-file for {sha}")
            size = int(header[2])
            if size > max_size:
                _skip(process.stdout, size + 1)
                yield sha, None
                continue
            body = process.stdout.read(size)
            process.stdout.read(1)  # the newline after each object
            yield sha, body
    finally:
        process.stdin.close()
        process.stdout.close()
        process.kill()
        process.wait()


def _skip(stream: object, count: int) -> None:
    while count > 0:
        chunk = stream.read(min(count, 1 << 20))  # type: ignore[attr-defined]
        if not chunk:
            raise GitError("git cat-file ended early")
        count -= len(chunk)
