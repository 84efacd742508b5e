"""Builds the framework vocabulary from frameworks.yaml: API names the analysis recognises in code."""

from __future__ import annotations

from minimise.knowledge.reader import RuleDocument
from minimise.knowledge.records import Deferral, Frameworks

# Each key of the `frameworks` section, with what it names (the JSON Schema's descriptions).
FRAMEWORK_LISTS: dict[str, str] = {
    "skip_fields": "Field constructors whose value is never a person's data: relations, ids, flags, buttons.",
    "field_constructors": (
        "Constructor names that declare a field in a model or schema class when their import cannot be"
        " resolved (`Str()`, `mapped_column()`), besides names ending in `field_suffixes`."
    ),
    "field_suffixes": "Endings of constructor names that declare a field (`CharField`, `Column`).",
    "description_keywords": "Keyword arguments in which a field describes itself to people (`verbose_name=`).",
    "orm_roots": "Top-level modules whose `Column` is a database column (not a table on a page).",
    "form_kinds": "Schema kinds (ids in sources.yaml `schemas`) whose classes are forms.",
    "request_getters": "Methods that read one input by key from a request container (`request.form.get`).",
    "masked_types": (
        "Types whose text hides the value (pydantic's `SecretStr` shows '**********'): a parameter of one is masked"
        " in logs and messages."
    ),
    "service_caller_words": (
        "Words of a view's or its class's name that say a service calls it (`stripe_webhook`): the user agent and"
        " client address of its requests are that service's."
    ),
    "metadata_containers": "Request containers of the transport's own metadata (`headers`, `META`), not its payload.",
    "mutators": "Methods that put their arguments into their receiver (`items.append(email)`).",
    "key_views": "Builtins whose result keeps the keys of the dict they are given (`sorted(d)`).",
    "input_classes": (
        "Library classes whose instance holds what a person submitted, one attribute per field"
        " (`form_data.username` of FastAPI's `OAuth2PasswordRequestForm`)."
    ),
    "cookie_sessions": "Qualified names of sessions kept in a cookie on the user's device (`flask.session`).",
    "persist_methods": "Methods after which fields assigned to a model instance are in the database.",
    "user_objects": "Expressions that hold the signed-in user, a model instance (`request.user`).",
    "username_text_modules": (
        "Modules whose import says a module works with that framework's users (`django.contrib.auth`): a plain"
        " `user` it shows whole is one, whose text is the username."
    ),
    "username_text_objects": (
        "Those of the user objects whose text is the username (Django's `request.user`): logged whole, they"
        " log it; Flask-Login's `current_user` shows its model's repr, an id."
    ),
    "unprotect_methods": "Methods whose result is their receiver's data without its protection (`decrypt`).",
    "exception_message_keywords": "Keyword arguments that carry an exception's message (`detail=`).",
    "core_statements": (
        "SQL statement builders whose first argument is the model written (`insert(User)`, SQLAlchemy Core, SQLModel)."
    ),
    "core_write_methods": "Builder methods that carry the written columns (`insert(User).values(email=e)`).",
    "schema_uses": (
        "Calls on a form, schema or model class or instance that read or write its declared fields"
        " (`form.populate_obj(user)`, `Schema().load(data)`)."
    ),
    "persist_words": "Words of a project function's name that say it saves the session (`try_commit(db.session)`).",
    "instance_getters": "Session methods that load one model instance by key (`session.get(User, pk)`).",
    "select_results": "Methods that take one model instance from a `select(User)` result (`scalar_one`).",
    "configuration_objects": (
        "Qualified names of the app's configuration: its attributes, items and `.get` results are settings,"
        ' not a person\'s data, whatever key they are put under (`"username": settings.SITE_NAME`).'
    ),
    "authentication_headers": (
        "HTTP headers that authenticate the request to the service receiving it (`Authorization`): a"
        " credential in one is used there, not shared (compared case-insensitively)."
    ),
    "issuer_kinds": (
        "Destination kinds of outside services that authenticate the calls made to them (`http`, `llm`):"
        " an `issued_categories` value sent there is `authentication`, not shared."
    ),
    "client_headers": (
        "HTTP headers that describe the app's own client (`User-Agent`): what an outbound request puts in"
        " one is not a person's (compared case-insensitively)."
    ),
    "issued_categories": (
        "Categories of data an outbound HTTP request carries back to the service that issued it (a token,"
        " an API key): such a data point's destination kind is `authentication`, which is not sharing."
    ),
    "configuration_names": (
        "Names of a project's own configuration objects (`from app.core.config import settings`): a module-level"
        " object of one of these names is configuration like `configuration_objects`."
    ),
    "configuration_getters": (
        'Methods that read one setting of whatever object they are called on (`self.get_setting("username")`):'
        " their result is a setting."
    ),
    "configuration_functions": "Functions that read one setting (`os.getenv`): their result is configuration.",
    "configuration_holders": (
        "Words that make an object with a compound name holding one a holder of configuration"
        " (`self.typed_secrets`): what is read from it is a setting or a service's credential, not a person's data."
    ),
    "server_session_calls": (
        "Calls that move a web framework's session to a server store (`flask_session.Session(app)`): the cookie then"
        " holds only the session's id, and what the app puts in the session is stored, not sent in a cookie."
    ),
    "server_session_attributes": (
        "Attributes whose assignment does the same (`app.session_interface = RedisSessionInterface()`)."
    ),
    "validation_exceptions": (
        "Ends of exception class names whose message is shown to the person who typed the value (`ValidationError`,"
        " pydantic's `PydanticCustomError`): raising one is not an exception-message finding."
    ),
    "silent_http_errors": (
        "Qualified names of exceptions a framework turns into an error page without logging or showing their"
        " message (Django's `Http404`, `PermissionDenied`, `BadRequest`): raising one is not an exception-message"
        " finding."
    ),
    "own_service_words": (
        "Words of the name a request's URL starts with that say it is the application's own service"
        " (`backend_url`, `INTERNAL_API`): a request there reaches no third party."
    ),
    "own_client_words": (
        "Words that, after the project's own name (its top package's first word), make a class its own API"
        " client (`SurfSenseClient` in `surfsense_mcp`, `ShopApi` in `shop`): what it requests goes to the"
        " project's own service, not to a third party."
    ),
    "login_endpoint_words": (
        "Words of a request's URL (its text or the setting it is read from) that name a sign-in or token"
        " endpoint (`/oauth/token`, `settings.IDP_TOKEN_ENDPOINT`): the username, password or token in the"
        " request authenticate to the service that issued them; they are not shared with it."
    ),
    "own_service_hosts": (
        "Hosts of the machine itself or of a private network (a leading dot matches a suffix, `.internal`):"
        " a request there reaches no third party. Loopback and private IP addresses, and host names of one"
        " label (`localhost`, a service on the app's own network: `http://api:8000`), count too."
    ),
    "renderer_words": (
        "Words in a function's or method's name that say it renders a template (`render_to_string`,"
        " `template.render`): the text is the template's, so the variable it is put in is not named after it."
    ),
}
FRAMEWORK_MAPS: dict[str, str] = {
    "store_receivers": (
        "When a field constructor's import cannot be resolved, module aliases whose fields are stored"
        " (`db.Column`), each to a model kind id of sinks.yaml `models`."
    ),
    "collect_receivers": (
        "Likewise, module aliases whose fields are collected (`forms.CharField`), each to a schema kind id"
        " of sources.yaml `schemas`."
    ),
    "base_names": (
        "Names of base classes imported from the project itself (a re-export, a compatibility module),"
        " each to the model or schema kind id that a base of that name stands for."
    ),
    "form_containers": (
        "Attributes holding validated form or serializer input, read by key like a request's form"
        " (`form.cleaned_data`), each to the source id its findings name."
    ),
    "deferred_calls": (
        "Calls that run a function later, on another thread or after the response, with the arguments"
        " given beside it (`background_tasks.add_task(send_welcome, user.email)`): the data reaches"
        " whatever the function does with it. Each name (a method, or a qualified function or class)"
        " maps to where the function is: its position (`0`), the arguments after it passing through;"
        " or `NAME@POSITION` for the function, then `args@POSITION` and `kwargs@POSITION` for its"
        " arguments (`threading.Thread`: `target@1 args@3 kwargs@4`)."
    ),
}
# Mappings to how many of a keyword's units make a second, rather than to kind or source ids.
FRAMEWORK_NUMBERS: dict[str, str] = {
    "ttl_keywords": (
        "Keyword arguments of a cache write that set its time to live, each to how many of its units"
        " make a second: 1 for seconds (`ex=`), 1000 for milliseconds (`px=`)."
    ),
}
UNITS_PER_SECOND = (1, 1000)
FRAMEWORK_KEYS = set(FRAMEWORK_LISTS) | set(FRAMEWORK_MAPS) | set(FRAMEWORK_NUMBERS)


def parse_deferral(spec: str) -> Deferral | None:
    """`0` or `target@1 args@3 kwargs@4` (see `deferred_calls`); None when it is neither."""
    if spec.isdigit():
        return Deferral(None, int(spec), passes_through=True)
    places: dict[str, tuple[str, int]] = {}
    for i, part in enumerate(spec.split()):
        name, at, position = part.partition("@")
        if not at or not name.isidentifier() or not position.isdigit():
            return None
        role = "function" if i == 0 and name not in ("args", "kwargs") else name
        if role not in ("function", "args", "kwargs") or role in places:
            return None
        places[role] = (name, int(position))
    if "function" not in places:
        return None
    return Deferral(
        *places["function"],
        passes_through=False,
        args_at=places.get("args"),
        kwargs_at=places.get("kwargs"),
    )


def build_frameworks(documents: list[RuleDocument], model_ids: set[str], schema_ids: set[str]) -> Frameworks:
    """Lists are appended and mappings merged, in file order.

    A team's kind ids must name a known model or schema kind; the shipped file's are checked by the
    test suite instead, so that a test may take a kind out of the shipped rules and still load them.
    """
    lists: dict[str, set[str]] = {key: set() for key in FRAMEWORK_LISTS}
    maps: dict[str, dict[str, str]] = {key: {} for key in FRAMEWORK_MAPS}
    numbers: dict[str, dict[str, int]] = {key: {} for key in FRAMEWORK_NUMBERS}
    known_ids = {"store_receivers": model_ids, "collect_receivers": schema_ids, "base_names": model_ids | schema_ids}
    for doc in documents:
        reader = doc.reader
        if "frameworks" not in doc.data:
            continue
        section = reader.mapping(doc.data["frameworks"] or {}, ("frameworks",), FRAMEWORK_KEYS)
        for key in FRAMEWORK_LISTS:
            lists[key] |= set(reader.strings(section.get(key), ("frameworks", key)))
        for key in FRAMEWORK_MAPS:
            mapping = section.get(key) or {}
            reader.mapping(mapping, ("frameworks", key), set(mapping) if isinstance(mapping, dict) else set())
            for name, value in mapping.items():
                where = ("frameworks", key, name)
                target = reader.string(value, where)
                if key == "deferred_calls" and parse_deferral(target) is None:
                    reader.fail(where, f"expected a position (0) or NAME@POSITION words, got {target!r}")
                if not doc.shipped and key in known_ids and target not in known_ids[key]:
                    reader.fail(where, f"unknown kind {target!r} (known: {', '.join(sorted(known_ids[key]))})")
                maps[key][str(name)] = target
        for key in FRAMEWORK_NUMBERS:
            mapping = section.get(key) or {}
            reader.mapping(mapping, ("frameworks", key), set(mapping) if isinstance(mapping, dict) else set())
            for name, value in mapping.items():
                if isinstance(value, bool) or not isinstance(value, int) or value not in UNITS_PER_SECOND:
                    reader.fail(("frameworks", key, name), "expected 1 (seconds) or 1000 (milliseconds)")
                numbers[key][str(name)] = value
        for i, kind in enumerate(reader.strings(section.get("form_kinds"), ("frameworks", "form_kinds"))):
            if not doc.shipped and kind not in schema_ids:
                reader.fail(("frameworks", "form_kinds", i), f"unknown schema kind {kind!r}")
    return Frameworks(
        skip_fields=frozenset(lists["skip_fields"]),
        field_constructors=frozenset(lists["field_constructors"]),
        field_suffixes=frozenset(lists["field_suffixes"]),
        description_keywords=frozenset(lists["description_keywords"]),
        orm_roots=frozenset(lists["orm_roots"]),
        form_kinds=frozenset(lists["form_kinds"]),
        request_getters=frozenset(lists["request_getters"]),
        masked_types=frozenset(lists["masked_types"]),
        service_caller_words=frozenset(lists["service_caller_words"]),
        metadata_containers=frozenset(lists["metadata_containers"]),
        mutators=frozenset(lists["mutators"]),
        key_views=frozenset(lists["key_views"]),
        input_classes=frozenset(lists["input_classes"]),
        cookie_sessions=frozenset(lists["cookie_sessions"]),
        persist_methods=frozenset(lists["persist_methods"]),
        user_objects=frozenset(lists["user_objects"]),
        username_text_objects=frozenset(lists["username_text_objects"]),
        username_text_modules=frozenset(lists["username_text_modules"]),
        unprotect_methods=frozenset(lists["unprotect_methods"]),
        exception_message_keywords=frozenset(lists["exception_message_keywords"]),
        core_statements=frozenset(lists["core_statements"]),
        core_write_methods=frozenset(lists["core_write_methods"]),
        schema_uses=frozenset(lists["schema_uses"]),
        persist_words=frozenset(lists["persist_words"]),
        instance_getters=frozenset(lists["instance_getters"]),
        select_results=frozenset(lists["select_results"]),
        configuration_objects=frozenset(lists["configuration_objects"]),
        configuration_functions=frozenset(lists["configuration_functions"]),
        configuration_getters=frozenset(lists["configuration_getters"]),
        renderer_words=frozenset(lists["renderer_words"]),
        own_service_words=frozenset(lists["own_service_words"]),
        own_client_words=frozenset(lists["own_client_words"]),
        own_service_hosts=frozenset(lists["own_service_hosts"]),
        login_endpoint_words=frozenset(lists["login_endpoint_words"]),
        validation_exceptions=frozenset(lists["validation_exceptions"]),
        silent_http_errors=frozenset(lists["silent_http_errors"]),
        server_session_calls=frozenset(lists["server_session_calls"]),
        server_session_attributes=frozenset(lists["server_session_attributes"]),
        configuration_names=frozenset(lists["configuration_names"]),
        configuration_holders=frozenset(lists["configuration_holders"]),
        authentication_headers=frozenset(lists["authentication_headers"]),
        issued_categories=frozenset(lists["issued_categories"]),
        client_headers=frozenset(lists["client_headers"]),
        issuer_kinds=frozenset(lists["issuer_kinds"]),
        store_receivers=maps["store_receivers"],
        collect_receivers=maps["collect_receivers"],
        form_containers=maps["form_containers"],
        base_names=maps["base_names"],
        ttl_keywords=numbers["ttl_keywords"],
        deferred_calls={name: d for name, spec in maps["deferred_calls"].items() if (d := parse_deferral(spec))},
    )
