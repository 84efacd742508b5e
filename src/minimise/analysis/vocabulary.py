"""Markers the analysis passes between modules; the framework names themselves are in rules/frameworks.yaml."""

from __future__ import annotations

# The category a person object stands for where a message is addressed to it.
PERSON_ADDRESS = "user.contact.email"
# The marker a call argument carries to the project link when it is a person object, not named data.
PERSON_MARK = "@person"
# The marker a schema-use call site carries to the project link (never reported itself).
SCHEMA_MARK = "@schema"
# The method of a call site that raises a project exception class: its message is decided at the link.
RAISED = "__raise__"
