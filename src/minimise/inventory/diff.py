"""Comparing the observed and declared inventories of the working tree with a git revision.

The revision's files are read with ``git ls-tree`` and ``git cat-file --batch`` into a temporary
folder: the working tree, the index and the stash are never touched.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from minimise.git import GitError, iter_blobs, run_git, verify_commit

# Files a scan of the revision needs: Python sources, ignore rules and the inventory.
_EXPORT_NAMES = {".gitignore", "pyproject.toml"}
_EXPORT_SUFFIXES = (".py",)
MAX_EXPORT_FILE = 8 * 1024 * 1024


def _git(cwd: Path, *args: str, input_bytes: bytes | None = None) -> bytes:
    return run_git(args, cwd, stdin=input_bytes)


def repo_top(start: Path) -> Path:
    folder = start if start.is_dir() else start.parent
    return Path(_git(folder.resolve(), "rev-parse", "--show-toplevel").decode().strip()).resolve()


def resolve_commit(top: Path, ref: str) -> str:
    return verify_commit(top, ref)


def _wanted(path: str, extra: set[str]) -> bool:
    name = path.rsplit("/", 1)[-1]
    return path in extra or name in _EXPORT_NAMES or path.endswith(_EXPORT_SUFFIXES)


def export_tree(top: Path, commit: str, dest: Path, pathspecs: list[str], extra: set[str]) -> int:
    """Write the revision's wanted files under ``pathspecs`` into ``dest``; returns the file count."""
    # ``commit`` is a verified object id (resolve_commit), so it cannot be read as an option.
    listing = _git(top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *pathspecs)
    wanted: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode().split(" ")
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind != "blob" or mode not in ("100644", "100755") or not _wanted(path, extra):
            continue
        parts = PurePosixPath(path).parts
        if PurePosixPath(path).is_absolute() or ".." in parts or ".git" in parts:
            continue
        wanted.append((sha, path))
    if not wanted:
        return 0
    paths_of: dict[str, list[str]] = {}
    for sha, path in wanted:
        paths_of.setdefault(sha, []).append(path)
    # Streamed one blob at a time: a huge file in the revision costs no more memory than the limit.
    for sha, body in iter_blobs(top, list(paths_of), MAX_EXPORT_FILE):
        if body is None:
            continue
        for path in paths_of[sha]:
            target = dest.joinpath(*PurePosixPath(path).parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
            except OSError:
                continue  # a name this file system cannot hold (too long): not exported
    return len(wanted)


@contextmanager
def checkout_to_temp(
    paths: list[Path], root: Path, ref: str, inventory: Path | None
) -> Iterator[tuple[list[Path], Path, Path | None, str]]:
    """The revision's copy of ``paths``/``root``/``inventory`` in a temporary folder, and the commit."""
    top = repo_top(root)
    commit = resolve_commit(top, ref)

    def rel(path: Path) -> str:
        try:
            return path.resolve().relative_to(top).as_posix()
        except ValueError:
            raise GitError(f"{path} is outside the git repository {top}") from None

    specs = sorted({rel(p) for p in paths})
    pathspecs = [] if "." in specs else [":(top,literal)" + s for s in specs]
    extra: set[str] = set()
    inventory_rel = rel(inventory) if inventory is not None else None
    if inventory_rel:
        extra.add(inventory_rel)
    root_rel = rel(root)
    if root_rel != ".":
        extra.add(f"{root_rel}/.gitignore")
    with tempfile.TemporaryDirectory(prefix="minimise-base-") as tmp:
        base = Path(tmp)
        export_tree(top, commit, base, pathspecs, extra)
        if pathspecs:
            extras = sorted(p for p in extra if p != ".")
            if extras:
                export_tree(top, commit, base, [":(top,literal)" + p for p in extras], extra)
        base_paths = [base / s if s != "." else base for s in specs]
        base_root = base / root_rel if root_rel != "." else base
        base_root.mkdir(parents=True, exist_ok=True)
        base_inventory = (base / inventory_rel) if inventory_rel else None
        if base_inventory is not None and not base_inventory.is_file():
            base_inventory = None
        yield [p for p in base_paths if p.exists()], base_root, base_inventory, commit


# --------------------------------------------------------------------------- comparing
VERBS = {
    "collect": ("collecting", "collected"),
    "store": ("storing", "stored"),
    "log": ("logging", "logged"),
    "share": ("sharing", "shared"),
}
_ACTION_ORDER = {"collect": 0, "store": 1, "log": 2, "share": 3}


@dataclass
class Row:
    change: str  # starts | stops
    action: str
    item_key: str  # item:<id> or category:<key>
    data: str  # plain label
    category: str
    destination: str
    detail: str
    decision: str = ""  # why a human must decide, or ""
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "action": self.action,
            "item": self.item_key,
            "data": self.data,
            "category": self.category,
            "destination": self.destination,
            "detail": self.detail,
            "needs_decision": bool(self.decision),
            "decision": self.decision,
            "evidence": self.evidence,
        }


@dataclass
class InventoryDiff:
    base: str
    rows: list[Row]
    edits: list[str]

    @property
    def empty(self) -> bool:
        return not self.rows and not self.edits

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "minimise-inventory-diff/1",
            "base": self.base,
            "summary": summary_line(self),
            "changes": [r.to_json() for r in self.rows],
            "inventory_edits": list(self.edits),
        }


def _key(entry: dict[str, Any]) -> str:
    return f"item:{entry['id']}" if entry["id"] else f"category:{entry['category']}"


def _uses(document: dict[str, Any]) -> dict[tuple[str, str, str], tuple[dict[str, Any], list[dict[str, Any]]]]:
    out: dict[tuple[str, str, str], tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for entry in document["items"]:
        for action in VERBS:
            for use in entry.get(action, []):
                destination = use.get("to", use["via"])
                key = (_key(entry), action, destination)
                out.setdefault(key, (entry, []))[1].append(use)
    return out


def _destination_text(action: str, destination: str, document: dict[str, Any]) -> str:
    if action == "share":
        info = document.get("recipients", {}).get(destination)
        if info:
            bits = [info.get("kind", ""), info.get("country", ""), info.get("purpose", "")]
            return f"sent to {destination} ({', '.join(b for b in bits if b)})"
        return f"sent to {destination}"
    if action == "store":
        return f"kept in {destination}"
    if action == "log":
        return f"written to logs ({destination})"
    return f"received through {destination}"


def compare(base: dict[str, Any], head: dict[str, Any], base_name: str) -> InventoryDiff:
    before, after = _uses(base), _uses(head)
    base_recipients = {k[2] for k in before if k[1] == "share"}  # where data actually went before
    rows: list[Row] = []
    for key in sorted(set(after) - set(before)):
        entry, uses = after[key]
        item_key, action, destination = key
        decision = ""
        codes = sorted({c for u in uses for c in u.get("findings", []) if c.startswith("MIN5")})
        if not entry["declared"]:
            decision = "not in the data inventory: declare it (purpose, lawful basis, retention) or stop it"
        elif "MIN502" in codes:
            decision = f"the inventory does not allow {VERBS[action][0]} it: allow it or stop it"
        elif "MIN503" in codes:
            decision = "the inventory does not list this destination: declare it or stop it"
        elif "MIN504" in codes:
            decision = "stored without the encryption the inventory requires"
        elif action == "share" and destination not in base_recipients:
            decision = f"new recipient {destination}: confirm the contract, the purpose and the privacy notice"
        rows.append(
            Row(
                "starts",
                action,
                item_key,
                entry["label"],
                entry["category"],
                destination,
                _destination_text(action, destination, head),
                decision,
                sorted(uses, key=_evidence_key),
            )
        )
    for key in sorted(set(before) - set(after)):
        entry, uses = before[key]
        item_key, action, destination = key
        rows.append(
            Row(
                "stops",
                action,
                item_key,
                entry["label"],
                entry["category"],
                destination,
                "no longer " + _destination_text(action, destination, base),
                "",
                sorted(uses, key=_evidence_key),
            )
        )
    rows.sort(
        key=lambda r: (not r.decision, r.change != "starts", r.data.lower(), _ACTION_ORDER[r.action], r.destination)
    )
    return InventoryDiff(base_name, rows, declared_edits(base, head))


def _evidence_key(use: dict[str, Any]) -> tuple[str, str]:
    return (use.get("at", ""), use.get("symbol", ""))


_EDIT_FIELDS = ("label", "category", "sensitivity", "purposes", "lawful_basis", "retention", "owner")


def declared_edits(base: dict[str, Any], head: dict[str, Any]) -> list[str]:
    """Plain sentences for edits to the human inventory between the two sides."""
    edits: list[str] = []
    old = {e["id"]: e for e in base["items"] if e["declared"]}
    new = {e["id"]: e for e in head["items"] if e["declared"]}
    for item_id in sorted(set(new) - set(old)):
        edits.append(f"{item_id} ({new[item_id]['label']}) was added to the inventory")
    for item_id in sorted(set(old) - set(new)):
        edits.append(f"{item_id} ({old[item_id]['label']}) was removed from the inventory")
    for item_id in sorted(set(old) & set(new)):
        a, b = old[item_id], new[item_id]
        owner = f" (owner {b['owner']})" if b.get("owner") else ""
        for name in _EDIT_FIELDS:
            va, vb = a.get(name), b.get(name)
            if va == vb:
                continue
            if isinstance(va, list) or isinstance(vb, list):
                gained = [x for x in vb or [] if x not in (va or [])]
                lost = [x for x in va or [] if x not in (vb or [])]
                noun = name[:-1] if name.endswith("s") else name
                parts = ([f"gained {noun} {', '.join(gained)}"] if gained else []) + (
                    [f"lost {noun} {', '.join(lost)}"] if lost else []
                )
                edits.append(f"{item_id} {' and '.join(parts)}{owner}")
            else:
                edits.append(f"{item_id} {name.replace('_', ' ')} changed from {va or 'none'} to {vb or 'none'}{owner}")
    for kind in ("recipients", "stores"):
        ra, rb = base.get(kind, {}), head.get(kind, {})
        noun = kind[:-1]
        for name in sorted(set(rb) - set(ra)):
            edits.append(f"{noun} {name} was declared")
        for name in sorted(set(ra) - set(rb)):
            edits.append(f"{noun} {name} was removed")
        for name in sorted(set(ra) & set(rb)):
            if ra[name] != rb[name]:
                changed = sorted(k for k in set(ra[name]) | set(rb[name]) if ra[name].get(k) != rb[name].get(k))
                edits.append(f"{noun} {name} changed: {', '.join(changed)}")
    return edits


def summary_line(diff: InventoryDiff) -> str:
    if diff.empty:
        return f"No personal-data changes against `{diff.base}`."
    starts = sum(r.change == "starts" for r in diff.rows)
    stops = sum(r.change == "stops" for r in diff.rows)
    decide = sum(bool(r.decision) for r in diff.rows)
    parts = [
        f"{starts} new {'use' if starts == 1 else 'uses'}",
        f"{stops} stopped",
        f"{decide} {'needs' if decide == 1 else 'need'} a decision",
    ]
    if diff.edits:
        parts.append(f"{len(diff.edits)} inventory {'edit' if len(diff.edits) == 1 else 'edits'}")
    return " · ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(diff: InventoryDiff) -> str:
    if diff.empty:
        return summary_line(diff) + "\n"
    lines = [f"### Personal data changes against `{diff.base}`", "", summary_line(diff), ""]
    if diff.rows:
        lines += ["| Change | Data | What now happens | Needs a decision |", "|---|---|---|---|"]
        for row in diff.rows:
            change = f"{row.change.capitalize()} {VERBS[row.action][0]}"
            decision = f"**Yes**: {row.decision}" if row.decision else ""
            lines.append(f"| {change} | {_cell(row.data)} | {_cell(row.detail)} | {_cell(decision)} |")
        lines.append("")
    if diff.edits:
        lines.append("**Inventory edits:**")
        lines.append("")
        lines += [f"- {_cell(e)}" for e in diff.edits]
        lines.append("")
    if diff.rows:
        lines += ["<details><summary>Evidence</summary>", ""]
        for row in diff.rows:
            change = f"{row.change.capitalize()} {VERBS[row.action][0]}"
            lines.append(f"- {change} {row.data} (`{row.category}`, {row.destination}):")
            for use in row.evidence:
                codes = f" — {', '.join(use['findings'])}" if use.get("findings") else ""
                lines.append(f"  - `{use['at']}` `{use['symbol']}`{codes}")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
