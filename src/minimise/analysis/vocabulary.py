"""Framework names the analyser recognises in code: field constructors, receivers, accessor verbs."""

from __future__ import annotations

FIELD_SKIP = frozenset(
    {
        "ForeignKey",
        "OneToOneField",
        "ManyToManyField",
        "relationship",
        "backref",
        "PrimaryKeyRelatedField",
        "HyperlinkedRelatedField",
        "SerializerMethodField",
        "AutoField",
        "BigAutoField",
        "UUIDField",
        "SlugRelatedField",
        "StringRelatedField",
        "association_proxy",
        "Pluck",
        "SubmitField",
        "HiddenField",
        "BooleanField",
        "NullBooleanField",
        "ReferenceField",
    }
)
HEURISTIC_STORE_RECEIVERS = {
    "models": "django.db.models",
    "db": "sqlalchemy",
    "sa": "sqlalchemy",
    "sqlalchemy": "sqlalchemy",
    "orm": "sqlalchemy",
    "me": "mongoengine",
    "mongoengine": "mongoengine",
    "peewee": "peewee",
    "pw": "peewee",
}
HEURISTIC_COLLECT_RECEIVERS = {
    "serializers": "rest_framework.serializers",
    "forms": "django.forms",
    "fields": "marshmallow",
    "ma": "marshmallow",
    "wtforms": "wtforms",
    "schema": "marshmallow",
}
REQUEST_GETTERS = frozenset(
    {"get", "getlist", "pop", "get_all", "getone", "getall", "get_list", "getfirst", "getvalue"}
)
MUTATORS = frozenset({"append", "extend", "update", "add", "insert", "setdefault", "appendleft"})
COOKIE_SESSIONS = frozenset({"flask.session", "quart.session", "flask.globals.session"})
KEY_VIEWS = frozenset({"sorted", "list", "set", "tuple", "frozenset", "iter", "enumerate"})
# Validated form and serializer input, read by key like a request's form.
FORM_CONTAINERS = {
    "cleaned_data": "django.forms.cleaned_data",
    "validated_data": "rest_framework.validated_data",
}
FORM_KINDS = frozenset({"wtforms", "django.forms"})
# Calls after which assigned fields are in the database (Django save, SQLAlchemy session add/commit).
PERSIST_METHODS = frozenset({"save", "commit", "add", "add_all", "merge", "flush", "bulk_update", "save_model"})
# The signed-in user, a model instance in every framework that provides it.
USER_OBJECTS = frozenset({"request.user", "current_user", "g.user", "self.request.user", "info.context.user"})
UNPROTECT = frozenset({"get_secret_value", "decrypt", "decrypt_at_time", "reveal"})
# The category a person object stands for where a message is addressed to it.
PERSON_ADDRESS = "user.contact.email"
# The marker a call argument carries to the project link when it is a person object, not named data.
PERSON_MARK = "@person"
# Keyword arguments that carry an exception's message (HTTPException(detail=...)); headers= does not.
EXCEPTION_MESSAGE_KEYWORDS = frozenset({"detail", "message", "msg", "description", "reason", "error"})
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
