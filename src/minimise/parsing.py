"""Parsing source text into a libcst module, without re-validating what the parser guarantees."""

from __future__ import annotations

import libcst as cst


def _skip_validation(self: cst.CSTNode) -> None:
    return None


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module(text)``, minus the per-node ``_validate`` calls.

    Every node libcst's parser builds runs its constructor's validation (parentheses balanced,
    whitespace where the grammar needs it), which the grammar has already enforced; libcst's
    own comment on ``CSTNode.__post_init__`` says as much. Validation stays on for every node
    built outside the parse.
    """
    node_type = cst.CSTNode
    validate = node_type.__post_init__
    node_type.__post_init__ = _skip_validation  # type: ignore[method-assign]
    try:
        return cst.parse_module(text)
    finally:
        node_type.__post_init__ = validate  # type: ignore[method-assign]
