"""The loaded Knowledge kept in the user's cache folder, so a run reads the rules' YAML only when they change.

Loading the rule files (YAML, JSON Schema checks, regex building) is a fixed cost of every run,
a large share of a pre-commit run on a few files. The result is pickled once per set of inputs:
the key covers minimise's own code (:func:`minimise.cache.analyser_digest`), the bytes of every
shipped and team rule file, the non-personal words and the Python version. The file lives only
in the user's cache folder (never in a project), is signed with the user's secret key
(:func:`minimise.cache.user_secret`), and is unpickled only when the signature matches; without
a secret nothing is cached. Anything unexpected falls back to loading the rules as usual.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
import pickle
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from minimise.knowledge.records import Knowledge

FOLDER = "knowledge"
T = TypeVar("T")
# Larger team rule files are not hashed for the key (the usual loading applies its own limits).
MAX_TEAM_FILE_BYTES = 8 * 1024 * 1024


def _key(team_files: tuple[str, ...], non_personal: tuple[str, ...], secret: bytes) -> str | None:
    from minimise.cache import analyser_digest
    from minimise.shipped import rules_dir

    digest = hashlib.sha256(secret)
    digest.update(analyser_digest().encode())
    digest.update(sys.version.encode())
    try:
        digest.update(_shipped_digest(rules_dir()))
        for name in team_files:
            info = os.stat(name)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TEAM_FILE_BYTES:
                return None  # a device, a FIFO, a huge file: the usual loading refuses it with its own message
            digest.update(os.path.abspath(name).encode() + b"\0" + Path(name).read_bytes() + b"\0")
    except OSError:
        return None  # a missing team file: the usual loading reports it
    digest.update("\0".join(non_personal).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:40]


_SHIPPED_DIGESTS: dict[Path, bytes] = {}


def _shipped_digest(shipped: Path) -> bytes:
    """The shipped rule files' digest, read once per process like the package's own (analyser_digest)."""
    known = _SHIPPED_DIGESTS.get(shipped)
    if known is None:
        digest = hashlib.sha256()
        for path in sorted(p for p in shipped.rglob("*") if p.is_file()):
            digest.update(path.relative_to(shipped).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        known = _SHIPPED_DIGESTS[shipped] = digest.digest()
    return known


def _read(path: Path, secret: bytes, kind: type = Knowledge) -> Any:
    try:
        signature, _, encoded = path.read_text(encoding="ascii").partition("\n")
        payload = base64.b64decode(encoded, validate=True)
    except (OSError, UnicodeDecodeError, binascii.Error):
        return None
    if not hmac.compare_digest(signature, hmac.new(secret, payload, hashlib.sha256).hexdigest()):
        return None
    try:
        loaded = pickle.loads(payload)  # noqa: S301 - signed with the user's own secret key above
    except Exception:  # noqa: BLE001 - an entry from another version of a class: load the rules instead
        return None
    return loaded if isinstance(loaded, kind) else None


class LazyPattern:
    """A regular expression compiled on first use: what a cached rules entry holds instead of ``re.Pattern``.

    Unpickling an ``re.Pattern`` compiles it again, and the rules hold a few hundred of them: most
    runs (a warm re-scan, a pre-commit run on a few files) use a handful. The methods of the compiled
    pattern are kept on the instance after the first use, so later calls cost what they cost on it.
    """

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:
        # Only missing attributes come here: pattern and flags are always set.
        if name.startswith("__") or name in ("pattern", "flags"):
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.flags)
        for method in ("match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __reduce__(self) -> tuple[type, tuple[str | bytes, int]]:
        return LazyPattern, (self.pattern, self.flags)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyPattern, re.Pattern)):
            return (self.pattern, self.flags) == (other.pattern, other.flags)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags})"


class _RulesPickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> Any:
        if isinstance(obj, re.Pattern):
            return LazyPattern, (obj.pattern, obj.flags)
        return NotImplemented


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    _RulesPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _write(path: Path, knowledge: object, secret: bytes) -> None:
    from minimise.atomic import atomic_write

    try:
        payload = _dumps(knowledge)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        signature = hmac.new(secret, payload, hashlib.sha256).hexdigest()
        atomic_write(path, signature + "\n" + base64.b64encode(payload).decode("ascii"), durable=False)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # not cached: the next run loads the rules again


_ENABLED = [True]


def use_rules_cache(enabled: bool) -> None:
    """Turn the rules cache on or off for this process (``--no-cache`` reads and writes no cache at all)."""
    _ENABLED[0] = enabled


def cached_knowledge(
    build: Callable[[], Knowledge], team_files: tuple[str, ...], non_personal: tuple[str, ...]
) -> Knowledge:
    """The Knowledge ``build`` returns, from the user's cache when the same inputs were loaded before."""
    from minimise.cache import user_cache_root, user_secret

    if not _ENABLED[0]:
        return build()
    secret = user_secret()
    key = _key(team_files, non_personal, secret) if secret else None
    if key is None:
        return build()
    path = user_cache_root() / FOLDER / f"{key}.pickle"
    found = _read(path, secret)
    if found is not None:
        return found
    knowledge = build()
    _write(path, knowledge, secret)
    return knowledge


def cached_rules(name: str, build: Callable[[], T], kind: type[T]) -> T:
    """Another table read from the shipped rules (``name``: which one), kept like the Knowledge."""
    from minimise.cache import user_cache_root, user_secret

    if not _ENABLED[0]:
        return build()
    secret = user_secret()
    key = _key((), (), secret) if secret else None
    if key is None:
        return build()
    path = user_cache_root() / FOLDER / f"{name}-{key}.pickle"
    found = _read(path, secret, kind)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = build()
    _write(path, value, secret)
    return value
