"""Which arguments of ``"template".format(...)`` a literal template actually puts into the text."""

from __future__ import annotations

import string
from collections.abc import Sequence

import libcst as cst


def _fields(template: str) -> tuple[set[int], set[str]] | None:
    """Positional indexes and keyword names the template refers to.

    None when the template is not a valid format string: then every argument may reach the text.
    """
    positions: set[int] = set()
    names: set[str] = set()
    automatic = 0
    pending = [template]
    try:
        while pending:
            for _text, field, spec, _conversion in string.Formatter().parse(pending.pop()):
                if field is None:
                    continue
                if spec:
                    pending.append(spec)  # "{:{width}}" refers to a field in its format spec
                head = field.split(".", 1)[0].split("[", 1)[0]
                if head == "":
                    positions.add(automatic)
                    automatic += 1
                elif head.isdigit():
                    positions.add(int(head))
                else:
                    names.add(head)
    except ValueError:
        return None
    return positions, names


def used_format_arguments(template: str, args: Sequence[cst.Arg]) -> list[bool] | None:
    """For each argument of ``template.format(*args)``, whether the literal template puts it into the text.

    None when the template is not a valid format string, so every argument counts. A ``*args`` or
    ``**kwargs`` argument always counts: what it holds is not known here.
    """
    fields = _fields(template)
    if fields is None:
        return None
    positions, names = fields
    used: list[bool] = []
    index = 0
    for arg in args:
        if arg.star:
            used.append(True)
        elif arg.keyword is not None:
            used.append(arg.keyword.value in names)
        else:
            used.append(index in positions)
            index += 1
    return used
