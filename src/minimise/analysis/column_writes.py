"""A model field's protection judged from what the project does to it: the writes it makes, the setters it defines."""

from __future__ import annotations

from dataclasses import replace

from minimise.analysis.summary import ModuleSummary
from minimise.model import DataPoint
from minimise.words import split_words

_PLAIN = "none"
# The via of a write to the signed-in user's object (`current_user.password = ...`), whose class is not named.
USER_MODEL_VIA = "user model"
# Stands for any model named after a person, in the field a write of a class not named reaches.
_A_PERSON = "<person>"


def protect_by_writes(
    points: list[DataPoint], summaries: list[ModuleSummary], person: frozenset[str] = frozenset()
) -> list[DataPoint]:
    """Each plain field declaration whose every write seen in the project is protected takes that protection.

    ``password = db.Column(db.String)`` says nothing of what is put there; when the project writes
    ``Project.password`` only through a hashing call (``generate_password_hash``), the column holds
    hashes. A field with no write seen, or with one plain write, keeps its declaration's verdict. A write
    to a person's record of a class not named (``user.password = hash_password(p)``) counts for the field
    of that name of every model named after a person (``User``).
    """
    writes: dict[tuple[str, str], list[DataPoint]] = {}
    for point in points:
        if point.action == "store" and "." in point.identifier:
            writes.setdefault((point.identifier, point.category), []).append(point)
        elif point.action == "store" and point.via == USER_MODEL_VIA:
            writes.setdefault((f"{_A_PERSON}.{point.identifier}", point.category), []).append(point)
    if not writes:
        return points
    declarations: dict[tuple[str, int], tuple[str, str]] = {}
    for summary in summaries:
        for name, cls in summary.classes.items():
            if cls.store is None:
                continue
            short = name.rsplit(".", 1)[-1]
            named_for_a_person = bool(set(split_words(short)) & person)
            for field, line in cls.lines.items():
                if field and line:
                    declarations[(summary.path, line)] = (
                        f"{short}.{field}",
                        f"{_A_PERSON}.{field}" if named_for_a_person else "",
                    )
    changed: list[DataPoint] = []
    for point in points:
        owner_field, person_field = (
            declarations.get((point.path, point.line), ("", "")) if point.action == "store" else ("", "")
        )
        seen = (
            writes.get((owner_field, point.category), []) + writes.get((person_field, point.category), [])
            if owner_field and point.protection == _PLAIN
            else []
        )
        if seen and all(w.protection != _PLAIN for w in seen):
            protection = sorted({w.protection for w in seen})[0]
            # The field's own writes when there are some: what a partial scan of its modules shows too.
            shown = writes.get((owner_field, point.category)) or seen
            where = ", ".join(f"{w.path}:{w.line}" for w in sorted(shown, key=DataPoint.sort_key)[:3])
            step = f"protection {protection}: every write of {owner_field} the project makes is {protection} ({where})"
            point = replace(point, protection=protection, trace=(*point.trace, step))
        changed.append(point)
    return changed


def protect_user_writes(
    points: list[DataPoint], summaries: list[ModuleSummary], person: frozenset[str]
) -> list[DataPoint]:
    """A write to the signed-in user's object through a property takes the protection its model's setter applies.

    ``current_user.password = form.password.data`` goes through ``User.password``'s setter, which stores a hash;
    the module making the write cannot see which class ``current_user`` is. When every person-named model of
    the project with a ``password`` property protects that category, the write is so protected.
    """
    setters: dict[tuple[str, str], set[str]] = {}  # (attribute, category) -> protections its models apply
    for summary in summaries:
        for name, cls in summary.classes.items():
            short = name.rsplit(".", 1)[-1]
            if cls.store is None or not set(split_words(short)) & person:
                continue
            for key in summary.functions:
                owner, _, attribute = key.rpartition(".")
                if owner != name or not attribute:
                    continue
                for category in set(cls.fields.values()) | set(cls.protected):
                    setters.setdefault((attribute, category), set()).add(cls.protected.get(category, _PLAIN))
    changed: list[DataPoint] = []
    for point in points:
        applied = setters.get((point.identifier.rsplit(".", 1)[-1], point.category), set())
        if point.via == USER_MODEL_VIA and point.protection == _PLAIN and applied and _PLAIN not in applied:
            protection = sorted(applied)[0]
            step = f"protection {protection}: the user model's `{point.identifier}` property applies it"
            point = replace(point, protection=protection, trace=(*point.trace, step))
        changed.append(point)
    return changed
