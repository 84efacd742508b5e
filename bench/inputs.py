"""Where the benchmark's code comes from: a folder, a git repository at a revision, or the generator.

Every input is laid out afresh in the run's temporary folder and made a git work tree there (so
minimise and its flake8 plugin treat it as one project, as in a real checkout); the original is
never written to.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator import generate


class InputError(Exception):
    """An input the benchmark cannot lay out (one line)."""


@dataclass
class Source:
    spec: str  # as given: PATH, git:DIR[@REV] or generated:LINES[:SHARE]
    described: str  # for the report: the folder, the commit, or the generator's settings


def lay_out(spec: str, into: Path, seed: int) -> Source:
    """Write the code named by ``spec`` into the empty folder ``into`` and make it a git work tree."""
    into.mkdir(parents=True)
    if spec.startswith("generated:"):
        parts = spec.removeprefix("generated:").split(":")
        try:
            lines = int(parts[0])
            share = float(parts[1]) if len(parts) > 1 else 0.33
        except ValueError:
            raise InputError(f"{spec}: expected generated:LINES or generated:LINES:SHARE") from None
        shutil.rmtree(into)
        stats = generate(into, lines, seed, share)
        described = f"generated corpus, seed {seed}, personal share {share}: {stats['files']} files"
    elif spec.startswith("git:"):
        repo, _, rev = spec.removeprefix("git:").partition("@")
        git_dir = Path(repo) / ".git" if (Path(repo) / ".git").exists() else Path(repo)
        rev = rev or "HEAD"
        commit = _git(["--git-dir", str(git_dir), "rev-parse", "--verify", f"{rev}^{{commit}}"], spec).strip()
        with tempfile.TemporaryFile() as archive:
            subprocess.run(["git", "--git-dir", str(git_dir), "archive", commit], stdout=archive, check=True)
            archive.seek(0)
            with tarfile.open(fileobj=archive) as tar:
                tar.extractall(into, filter="data")
        described = f"{repo} at commit {commit}"
    else:
        folder = Path(spec)
        if not folder.is_dir():
            raise InputError(f"{spec}: not a folder (give a folder, git:DIR[@REV] or generated:LINES[:SHARE])")
        shutil.rmtree(into)
        shutil.copytree(folder, into, ignore=shutil.ignore_patterns(".git"), symlinks=True)
        described = f"copy of {folder.resolve()}"
    _git(["init", "-q", str(into)], spec)
    return Source(spec, described)


def replicate(tree: Path, into: Path, times: int) -> None:
    """``times`` copies of ``tree`` side by side under ``into`` (rep_1 …), one git work tree."""
    into.mkdir(parents=True)
    for number in range(1, times + 1):
        shutil.copytree(tree, into / f"rep_{number}", ignore=shutil.ignore_patterns(".git"), symlinks=True)
    _git(["init", "-q", str(into)], str(tree))


def _git(args: list[str], spec: str) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        raise InputError(f"{spec}: git {args[0]} failed: {detail.strip().splitlines()[-1:]}") from None
    return done.stdout
