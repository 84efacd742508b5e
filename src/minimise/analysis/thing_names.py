"""Values read from a thing's own name (a file's, a connector's), which no variable name makes a person's."""

from __future__ import annotations

import libcst as cst

from minimise.analysis.syntax import literal_string, name_of
from minimise.classify import Classifier
from minimise.words import split_words


def holds_a_things_name(node: cst.BaseExpression, classifier: Classifier) -> bool:
    """Whether a value is read from a thing's name: `file_name or file.get("name")`, `get_connector_display_name(x)`.

    A variable given it holds that name, whatever the variable is called (`display_name`).
    """
    if isinstance(node, cst.BooleanOperation):
        sides = [s for s in (node.left, node.right) if literal_string(s) is None]
        return bool(sides) and all(holds_a_things_name(s, classifier) for s in sides)
    if isinstance(node, cst.Await):
        return holds_a_things_name(node.expression, classifier)
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args:
            key = literal_string(node.args[0].value)
            owner = split_words(name_of(func.value) or "")
            return key is not None and classifier.names_a_things_name(owner + split_words(key))
        called = func.attr.value if isinstance(func, cst.Attribute) else name_of(func)
        return called is not None and classifier.names_a_things_name(split_words(called))
    if isinstance(node, cst.Attribute):
        owner = split_words(name_of(node.value) or "")
        # `rev.fqname.fullname`: the revision's own name, as `case.name` is the case's.
        return classifier.owns_attribute(owner, node.attr.value) or classifier.names_a_things_name(
            owner + split_words(node.attr.value)
        )
    if isinstance(node, cst.Name):
        return classifier.names_a_things_name(split_words(node.value))
    return False
