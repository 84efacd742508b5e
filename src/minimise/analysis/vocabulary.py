"""Markers the analysis passes between modules; the framework names themselves are in rules/frameworks.yaml."""

from __future__ import annotations

# The category a person object stands for where a message is addressed to it.
PERSON_ADDRESS = "user.contact.email"
# The marker a call argument carries to the project link when it is a person object, not named data.
PERSON_MARK = "@person"
# Runtime-write names (issue 13), kept here until they move to rules/frameworks.yaml with an example each.
# SQL statement builders whose first argument is the model written (SQLAlchemy Core / 2.0, SQLModel).
CORE_STATEMENTS = frozenset({"insert", "update", "upsert"})
# Builder methods that carry the written columns as keywords: ``insert(User).values(email=e)``.
CORE_WRITE_METHODS = frozenset({"values"})
# Calls on a schema or model instance whose fields the project link reads from the class summary:
# WTForms populate_obj, Django ModelForm save, marshmallow load, SQLModel/Pydantic model_validate.
SCHEMA_USES = frozenset({"populate_obj", "save", "load", "loads", "model_validate", "parse_obj", "sqlmodel_update"})
# The marker a schema-use call site carries to the project link (never reported itself).
SCHEMA_MARK = "@schema"
# Keyword arguments of cache writes that set the time to live, with their unit in milliseconds' multiples.
TTL_KEYWORDS = {"ex": 1, "timeout": 1, "ttl": 1, "expire": 1, "expires": 1, "time": 1, "px": 1000}
# Words of a project helper's name that say it persists the session (``try_commit(db.session)``).
PERSIST_WORDS = frozenset({"commit", "save", "persist"})
# Calls that load one model instance: ``session.get(User, pk)`` and the results of a ``select(User)``.
INSTANCE_GETTERS = frozenset({"get", "get_or_404"})
SELECT_RESULTS = frozenset(
    {"scalar_one", "scalar_one_or_none", "scalar", "first", "one", "one_or_none", "first_or_404", "one_or_404"}
)
