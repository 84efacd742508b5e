"""The detection knowledge: rules/*.yaml (and a team's rule files) loaded into typed objects."""

from __future__ import annotations

from minimise.knowledge.load import build_knowledge, load_knowledge, shipped_documents, team_documents
from minimise.knowledge.reader import RULE_FILES, SECTIONS, RuleDocument, RuleReader, qname_pattern
from minimise.knowledge.records import Check, Example, Knowledge, Sanitizer, SchemaKind, Sink
from minimise.shipped import rules_dir

__all__ = [
    "RULE_FILES",
    "SECTIONS",
    "Check",
    "Example",
    "Knowledge",
    "RuleDocument",
    "RuleReader",
    "Sanitizer",
    "SchemaKind",
    "Sink",
    "build_knowledge",
    "load_knowledge",
    "qname_pattern",
    "rules_dir",
    "shipped_documents",
    "team_documents",
]
