"""Erasure coverage: the deletion paths of a user, the personal data tied to them, and what survives."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from minimise.analysis.erasure_facts import ACCOUNT_WORDS, USER
from minimise.analysis.project_index import ClassTarget, ExternalTarget, FunctionTarget, Project
from minimise.analysis.summary import ClassSummary, ErasureFacts, ModuleSummary
from minimise.knowledge import Knowledge, rules_dir
from minimise.model import DataPoint, Finding, Step
from minimise.testcode import is_test_path
from minimise.words import split_words
from minimise.yamlio import read_yaml

MAX_PATH_DEPTH = 6  # project calls followed from a deletion path
MAX_CASCADE_DEPTH = 6  # foreign-key hops followed from the user model


@dataclass(frozen=True)
class ErasureRules:
    user_model_bases: frozenset[str]
    user_model_names: frozenset[str]
    user_class_names: frozenset[str]
    deletion_verbs: frozenset[str]
    standalone_verbs: frozenset[str]
    filler_words: frozenset[str]
    id_columns: frozenset[str]
    recipient_kinds: frozenset[str]
    recipient_deletes: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def erasure_rules() -> ErasureRules:
    data: Any = read_yaml(rules_dir() / "erasure.yaml")
    return ErasureRules(
        user_model_bases=frozenset(data["user_model_bases"]),
        user_model_names=frozenset(data["user_model_names"]),
        user_class_names=frozenset(data["user_class_names"]),
        deletion_verbs=frozenset(data["deletion_verbs"]),
        standalone_verbs=frozenset(data["standalone_verbs"]),
        filler_words=frozenset(data["filler_words"]),
        id_columns=frozenset(data["id_columns"]),
        recipient_kinds=frozenset(data["recipient_kinds"]),
        recipient_deletes={str(k): tuple(v) for k, v in dict(data["recipient_deletes"]).items()},
    )


@dataclass(frozen=True)
class DeletionPath:
    name: str  # qualified function name
    path: str
    line: int
    why: str  # how it was recognised

    def to_json(self) -> dict[str, object]:
        return {"function": self.name, "path": self.path, "line": self.line, "why": self.why}


@dataclass
class Entry:
    """One field, cache or recipient holding the user's data, and whether deleting the user erases it."""

    kind: str  # field, cache or recipient
    subject: str  # Order.billing_email, cache last-order:, segment
    category: str
    path: str
    line: int
    link: str  # how it is tied to the user
    verdict: str  # erased, survives or expires
    how: str
    evidence: list[Step] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "category": self.category,
            "path": self.path,
            "line": self.line,
            "link": self.link,
            "verdict": self.verdict,
            "how": self.how,
            "evidence": [{"path": s.path, "line": s.line, "message": s.message} for s in self.evidence],
        }


@dataclass
class ErasureMap:
    paths: list[DeletionPath] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)

    def survivors(self) -> list[Entry]:
        return [e for e in self.entries if e.verdict == "survives"]

    def to_json(self) -> dict[str, object]:
        return {
            "deletion_paths": [p.to_json() for p in self.paths],
            "entries": [e.to_json() for e in self.entries],
            "survives": len(self.survivors()),
        }


@dataclass
class _Model:
    qname: str
    module: ModuleSummary
    key: str
    info: ClassSummary


@dataclass
class _Effects:
    """What the deletion paths do, with the step that shows it."""

    deleted: dict[str, Step] = field(default_factory=dict)  # model qname -> step
    blanked: dict[tuple[str, str], Step] = field(default_factory=dict)
    cache_deletes: list[tuple[str, str, Step]] = field(default_factory=list)
    external: list[tuple[str, Step]] = field(default_factory=list)


class _Analysis:
    def __init__(self, summaries: Iterable[ModuleSummary], declared: Iterable[str]) -> None:
        self.rules = erasure_rules()
        self.project = Project(summaries)
        self.declared = set(declared)
        self.models: dict[str, _Model] = {}
        for module in self.project.modules.values():
            for key, info in module.classes.items():
                if info.store is not None:
                    self.models[f"{module.module}.{key}"] = _Model(f"{module.module}.{key}", module, key, info)
        self.users = self._user_models()
        self.edges = self._edges()

    # ---------------------------------------------------------------- models
    def _mro_bases(self, model: _Model) -> set[str]:
        found: set[str] = set()
        for owner in self.project.mro(ClassTarget(model.module, model.key)):
            found.update(owner.module.classes[owner.key].bases)
        return found

    def _user_models(self) -> set[str]:
        by_base = {q for q, m in self.models.items() if self._mro_bases(m) & self.rules.user_model_bases}
        if by_base:
            return by_base
        return {q for q, m in self.models.items() if m.key in self.rules.user_class_names}

    def model_of(self, text: str, owner: _Model | None = None) -> str | None:
        """The model a relation target or a receiver names, if the project defines it."""
        text = text.removesuffix("()")
        if text == USER or text in self.rules.user_model_names or text.endswith(".AUTH_USER_MODEL"):
            return next(iter(sorted(self.users)), None)
        if text.startswith("str:"):
            name = text[4:].rsplit(".", 1)[-1]
            if name == "self" and owner is not None:
                return owner.qname
            if name in self.rules.user_class_names and text[4:] in self.rules.user_model_names:
                return next(iter(sorted(self.users)), None)
            matches = sorted(q for q, m in self.models.items() if m.key == name)
            return matches[0] if matches else None
        if text.startswith("table:"):
            table = text[6:].split(".", 1)[0]
            matches = sorted(q for q, m in self.models.items() if m.info.table == table or m.key.lower() == table)
            return matches[0] if matches else None
        if text in self.models:
            return text
        target = self.project.resolve(text)
        if isinstance(target, ClassTarget):
            qname = f"{target.module.module}.{target.key}"
            return qname if qname in self.models else None
        if isinstance(target, ExternalTarget) and target.qname in self.rules.user_model_names:
            return next(iter(sorted(self.users)), None)
        return None

    def _edges(self) -> list[tuple[str, str, str, str, str]]:
        """(child model, field, parent model, on_delete rule, related name): rows of child point at parent."""
        found = []
        for model in self.models.values():
            for name, (target, rule, related) in model.info.relations.items():
                if target.startswith("rel:"):
                    child = self.model_of(target[4:], model)
                    if child is not None and rule == "CASCADE":
                        found.append((child, name, model.qname, "CASCADE", ""))  # ORM cascade from the parent
                    continue
                parent = self.model_of(target, model)
                if parent is not None:
                    found.append((model.qname, name, parent, rule, related))
        return found

    def personal_fields(self, model: _Model) -> list[tuple[str, str, str, int]]:
        """(field, category, declaring path, line) along the bases, nearest class first."""
        seen: dict[str, tuple[str, str, str, int]] = {}
        for owner in self.project.mro(ClassTarget(model.module, model.key)):
            info = owner.module.classes[owner.key]
            for name, category in info.fields.items():
                seen.setdefault(name, (name, category, owner.module.path, info.lines.get(name, 0)))
        return list(seen.values())

    # ---------------------------------------------------------------- deletion paths
    def functions(self) -> Iterable[tuple[str, ModuleSummary, str]]:
        for module in self.project.modules.values():
            for key in module.functions:
                yield f"{module.module}.{key}", module, key

    def deletion_paths(self) -> list[DeletionPath]:
        found: list[DeletionPath] = []
        for qname, module, key in self.functions():
            function = module.functions[key]
            facts = function.erasure
            why = ""
            if qname in self.declared or any(qname.endswith("." + d) for d in self.declared):
                why = "declared in the inventory (erasure:)"
            elif is_test_path(module.path):
                continue  # a test tearing down its users is no deletion path
            elif facts is not None and any(self._is_user_row(r) for r, _ in facts.deletes):
                why = "deletes the user"
            elif facts is not None and self._named_for_deletion(module, key):
                why = "named for account deletion"
            if why:
                found.append(DeletionPath(qname, module.path, function.line, why))
        return sorted(found, key=lambda p: (p.path, p.line))

    def _is_user_row(self, receiver: str) -> bool:
        if "." in receiver.removesuffix("()") and receiver.removesuffix("()") not in self.models:
            if receiver != USER and self.model_of(receiver) is None:
                return False
        return self.model_of(receiver) in self.users if self.users else receiver == USER

    def _named_for_deletion(self, module: ModuleSummary, key: str) -> bool:
        """``delete_account``, ``erase_user``, ``anonymise``, ``User.cancel``, ``UsersViewSet.destroy``.

        The name must say nothing but the verb and the account: ``delete_user_story`` is not a path.
        """
        if is_test_path(module.path) or key.rsplit(".", 1)[-1].startswith("test"):
            return False
        rules = self.rules
        words = [w for w in split_words(key.rsplit(".", 1)[-1]) if w not in rules.filler_words]
        verbs = [w for w in words if w in rules.deletion_verbs or w in rules.standalone_verbs]
        rest = [w.removesuffix("s") for w in words if w not in verbs]
        if not verbs:
            return False
        if rest:
            return len(rest) == 1 and rest[0] in ACCOUNT_WORDS
        if set(verbs) & rules.standalone_verbs:
            return True
        owner = key.rsplit(".", 1)[0] if "." in key else ""
        if not owner:
            return False
        if f"{module.module}.{owner}" in self.users:
            return True
        owner_words = [w.removesuffix("s") for w in split_words(owner) if w not in rules.filler_words]
        return len(owner_words) == 1 and owner_words[0] in ACCOUNT_WORDS

    def effects(self, paths: list[DeletionPath]) -> _Effects:
        effects = _Effects()
        seen: set[str] = set()
        queue = [(self._target(p.name), 0) for p in paths]
        while queue:
            target, depth = queue.pop(0)
            if target is None or target.name in seen or depth > MAX_PATH_DEPTH:
                continue
            seen.add(target.name)
            facts = target.summary.erasure or ErasureFacts()
            path = target.module.path
            for receiver, line in facts.deletes:
                for model in self._rows(receiver):
                    effects.deleted.setdefault(model, Step(path, line, f"deleted by {target.name}"))
            for receiver, name, line in facts.blanks:
                for model in self._instances(receiver):
                    step = Step(path, line, f"`{name}` overwritten by {target.name}")
                    effects.blanked.setdefault((model, name), step)
            for cache, prefix, line in facts.cache_deletes:
                effects.cache_deletes.append((cache, prefix, Step(path, line, f"cache key deleted by {target.name}")))
            for callee, line in facts.calls:
                resolved = self._callee(callee)
                if resolved is not None:
                    queue.append((resolved, depth + 1))
                else:
                    effects.external.append((callee, Step(path, line, f"`{callee}` called by {target.name}")))
        return effects

    def _target(self, qname: str) -> FunctionTarget | None:
        target = self.project.resolve(qname)
        return target if isinstance(target, FunctionTarget) else None

    def _callee(self, callee: str) -> FunctionTarget | None:
        head, _, method = callee.rpartition(".")
        if head.endswith("()") or head == USER:
            owners = self.users if head == USER else {m for m in [self.model_of(head)] if m}
            if head != USER and not owners:
                target = self.project.resolve(head.removesuffix("()"))
                owners = {f"{target.module.module}.{target.key}"} if isinstance(target, ClassTarget) else set()
            for owner in sorted(owners):
                model = self.models.get(owner)
                if model is None:
                    continue
                for cls in self.project.mro(ClassTarget(model.module, model.key)):
                    function = cls.module.functions.get(f"{cls.key}.{method}")
                    if function is not None:
                        return FunctionTarget(cls.module, f"{cls.key}.{method}", function, bound=True)
            if head != USER:
                target = self.project.resolve(head.removesuffix("()"))
                if isinstance(target, ClassTarget):
                    for cls in self.project.mro(target):
                        function = cls.module.functions.get(f"{cls.key}.{method}")
                        if function is not None:
                            return FunctionTarget(cls.module, f"{cls.key}.{method}", function, bound=True)
            return None
        return self._target(callee)

    def _instances(self, receiver: str) -> list[str]:
        if "()." in receiver or receiver.startswith(USER + "."):
            return self._rows(receiver)  # a related object: user.profile.bio = ""
        model = self.model_of(receiver)
        return [model] if model else []

    def _rows(self, receiver: str) -> list[str]:
        """Models whose rows a deleted receiver stands for, following reverse accessors (``user.orders``)."""
        bare = receiver.removesuffix("()")
        direct = self.model_of(receiver)
        if direct is not None:
            return [direct]
        owner_text, _, attr = bare.rpartition(".")
        if owner_text.endswith("()") or owner_text == USER:
            owner = self.model_of(owner_text)
            if owner is None:
                return []
            found = []
            for child, name, parent, _rule, related in self.edges:
                if parent == owner and attr in (related, f"{self.models[child].key.lower()}_set"):
                    found.append(child)
                if child == owner and name == attr:
                    found.append(parent)
            return found
        return []


def models_by_qname(
    summaries: Iterable[ModuleSummary],
) -> tuple[dict[str, ClassSummary], Callable[[str], str | None]]:
    """The project's stored models by qualified name, and how receivers and relation targets name them."""
    analysis = _Analysis(summaries, ())
    return {q: m.info for q, m in analysis.models.items()}, analysis.model_of


def build_map(
    summaries: Iterable[ModuleSummary],
    points: Iterable[DataPoint],
    knowledge: Knowledge,
    declared: Iterable[str] = (),
) -> ErasureMap:
    """The erasure map of the project: empty (no paths) when no deletion path is found."""
    analysis = _Analysis(summaries, declared)
    result = ErasureMap(paths=analysis.deletion_paths())
    if not result.paths:
        return result
    effects = analysis.effects(result.paths)
    names = ", ".join(p.name for p in result.paths)
    erased_rows = dict(effects.deleted)
    # A row deleted with its parent: CASCADE rules followed from every deleted model.
    for _round in range(MAX_CASCADE_DEPTH):
        grew = False
        for child, name, parent, rule, _related in analysis.edges:
            if parent in erased_rows and child not in erased_rows and rule == "CASCADE":
                parent_key = analysis.models[parent].key
                holder = analysis.models[child]
                line = holder.info.lines.get(name, 0)
                step = Step(holder.module.path, line, f"on_delete=CASCADE from {parent_key} ({name})")
                erased_rows[child] = step
                grew = True
        if not grew:
            break
    tied = _tied_models(analysis, summaries_copies(analysis))
    for qname in sorted(tied, key=lambda q: (analysis.models[q].module.path, analysis.models[q].info.lines.get("", 0))):
        model = analysis.models[qname]
        link, copies = tied[qname]
        for name, category, path, line in analysis.personal_fields(model):
            evidence = [s for s in copies if s.message.startswith(f"`{name}`")]
            if qname in erased_rows:
                step = erased_rows[qname]
                how = step.message if qname not in effects.deleted else f"row {step.message}"
                verdict = "erased"
                evidence.append(step)
            elif (qname, name) in effects.blanked:
                step = effects.blanked[(qname, name)]
                verdict, how = "erased", step.message
                evidence.append(step)
            else:
                verdict, how = "survives", _why_survives(link, qname in analysis.users, names)
            result.entries.append(
                Entry("field", f"{model.key}.{name}", category, path, line, link, verdict, how, evidence)
            )
    _caches(analysis, effects, result, names)
    _recipients(analysis, effects, result, points, knowledge, names)
    return result


def summaries_copies(analysis: _Analysis) -> dict[str, list[Step]]:
    """Fields written from the user's own fields (``Order.billing_email`` from ``user.email``), by model."""
    found: dict[str, list[Step]] = {}
    for qname, module, key in analysis.functions():
        facts = module.functions[key].erasure
        for model_text, name, source, line in facts.copies if facts else ():
            model = analysis.model_of(model_text)
            if model is not None:
                step = Step(module.path, line, f"`{name}` copied from the user's `{source}` in {qname}")
                found.setdefault(model, []).append(step)
    return found


def _tied_models(analysis: _Analysis, copies: dict[str, list[Step]]) -> dict[str, tuple[str, list[Step]]]:
    """Models holding the user's rows, with how they are tied to the user."""
    tied: dict[str, tuple[str, list[Step]]] = {q: ("the user's own row", copies.get(q, [])) for q in analysis.users}
    # Beyond the user's own rows, only rows the user owns outright (CASCADE all the way) are theirs:
    # a project that merely names its owner does not make every row of the project personal.
    owned = set(analysis.users)
    for _round in range(MAX_CASCADE_DEPTH):
        grew = False
        for child, name, parent, rule, _related in analysis.edges:
            if parent in owned and child not in tied:
                if rule == "CASCADE":
                    owned.add(child)
                shown = rule or "no on_delete rule"
                tied[child] = (f"{name} -> {analysis.models[parent].key} (on_delete={shown})", copies.get(child, []))
                grew = True
        if not grew:
            break
    for qname, model in analysis.models.items():
        if qname in tied:
            continue
        columns = [c for c in model.info.id_columns if c in analysis.rules.id_columns]
        if columns:
            tied[qname] = (f"plain id column `{columns[0]}`", copies.get(qname, []))
        elif qname in copies:
            tied[qname] = ("copies of the user's fields", copies[qname])
    return tied


def _why_survives(link: str, is_user: bool, names: str) -> str:
    if is_user:
        return f"the account row is kept by {names} and this field is not overwritten"
    if link.startswith("plain id"):
        return f"tied to the user by a {link} that {names} never deletes"
    if "on_delete=CASCADE" in link:
        return f"{link}, but {names} keeps the parent row"
    if "on_delete=" in link:
        return f"{link} keeps the row when the user is deleted, and {names} does not delete or overwrite it"
    return f"{link}; {names} does not delete or overwrite them"


def _caches(analysis: _Analysis, effects: _Effects, result: ErasureMap, names: str) -> None:
    seen: set[tuple[str, int]] = set()
    for qname, module, key in analysis.functions():
        facts = module.functions[key].erasure
        for cache, prefix, expires, line in facts.cache_writes if facts else ():
            if (module.path, line) in seen:
                continue
            seen.add((module.path, line))
            shown = f"{cache.removesuffix('()')} key {prefix or '(computed)'}"
            evidence = [Step(module.path, line, f"written with the user's data in {qname}")]
            deleted = [s for c, p, s in effects.cache_deletes if c == cache and (not p or prefix.startswith(p))]
            if deleted:
                verdict, how = "erased", deleted[0].message
                evidence.append(deleted[0])
            elif expires:
                verdict, how = "expires", f"written with a time to live ({expires})"
            else:
                verdict, how = "survives", f"no time to live and {names} never deletes the key"
            result.entries.append(
                Entry("cache", shown, "", module.path, line, "key built from the user's data", verdict, how, evidence)
            )


def _recipients(
    analysis: _Analysis,
    effects: _Effects,
    result: ErasureMap,
    points: Iterable[DataPoint],
    knowledge: Knowledge,
    names: str,
) -> None:
    kinds = {s.id: s.kind for s in knowledge.sinks}
    seen: set[tuple[str, int, str]] = set()
    for point in sorted(points, key=DataPoint.sort_key):
        if point.action != "share" or kinds.get(point.via, point.sink_kind) not in analysis.rules.recipient_kinds:
            continue
        if (point.path, point.line, point.via) in seen:
            continue
        seen.add((point.path, point.line, point.via))
        apis = analysis.rules.recipient_deletes.get(point.via, ())
        calls = [s for callee, s in effects.external if any(callee.endswith(a) for a in apis)]
        evidence = [Step(point.path, point.line, f"{point.identifier} sent to {point.via}")]
        if calls:
            verdict, how = "erased", calls[0].message
            evidence.append(calls[0])
        else:
            known = ", ".join(apis) if apis else "its deletion API"
            verdict, how = "survives", f"{names} never asks {point.via} to delete the person ({known})"
        result.entries.append(
            Entry(
                "recipient",
                point.via,
                point.category,
                point.path,
                point.line,
                f"sent {point.identifier}",
                verdict,
                how,
                evidence,
            )
        )


def erasure_findings(erasure_map: ErasureMap, knowledge: Knowledge) -> list[Finding]:
    """MIN601 for every field, cache and recipient that survives the deletion paths."""
    check = knowledge.checks.get("MIN601")
    if check is None:
        return []
    found = []
    for entry in erasure_map.survivors():
        text = "\0".join(("MIN601", entry.path, entry.kind, entry.subject, entry.category))
        found.append(
            Finding(
                code="MIN601",
                name=check.name,
                severity=check.severity,
                path=entry.path,
                line=entry.line,
                column=1,
                category=entry.category,
                action="store" if entry.kind != "recipient" else "share",
                message=f"{entry.subject} survives account deletion: {entry.how}",
                fingerprint=hashlib.sha256(text.encode()).hexdigest()[:20],
                identifier=entry.subject,
                sensitivity=knowledge.sensitivity_of(entry.category) if entry.category else "",
                steps=tuple(entry.evidence),
            )
        )
    return found
