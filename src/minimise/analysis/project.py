"""The project-wide link: resolve names across modules, propagate summaries to a fixpoint, emit data points.

Phase one (per module, cached) leaves a summary of each module: which parameters of its functions
reach which sinks, what its names are bound to, which calls it could not settle. This phase joins
them: a call ``audit("signup", email=user.email)`` whose callee, in another module, hands its
``**fields`` to ``logger.info`` becomes a data point at the call, with the steps that lead there.
"""

from __future__ import annotations

from collections.abc import Iterable

from minimise.analysis.constructors import Known, kept_by_constructors
from minimise.analysis.project_index import (
    MANAGERS,
    MODEL_WRITES,
    ChoiceTarget,
    ClassTarget,
    ExternalTarget,
    FunctionTarget,
    InstanceTarget,
    ModelWriteTarget,
    Project,
    Target,
    parameters_bound,
)
from minimise.analysis.sinkmatch import match_resolved_sink, sink_arg_kind
from minimise.analysis.summary import CallSite, Carried, FunctionSummary, ModuleSummary, ParamSink, key_digest
from minimise.analysis.vocabulary import PERSON_ADDRESS, PERSON_MARK, RAISED
from minimise.knowledge import Knowledge
from minimise.model import DataPoint, Step
from minimise.words import split_words

# Rounds of propagation through calls: data passed through this many project functions in a row
# still reaches its sink. Documented in ARCHITECTURE.md.
MAX_CALL_DEPTH = 6

_VERBS = {"log": "logged", "share": "sent", "store": "stored", "collect": "collected"}
_EXTERNAL_MODELS = {
    "django.contrib.auth.get_user_model()": "django.db.models",
    "django.contrib.auth.models.User": "django.db.models",
}


def _spread_into_named(function: FunctionSummary, site: CallSite, arg: Carried, bound: bool) -> list[int]:
    """The named parameters a spread (`**kwargs`) fills when the callee takes no `*args`/`**kwargs` of its own.

    A wrapper's `def post(url, **kwargs): return request("post", url, **kwargs)` hands each keyword
    it was given to the parameter of that name: those the call does not already fill.
    """
    if arg.ident != "*" or any(kind in ("star", "kwargs") for _name, kind in function.params):
        return []
    positional = sum(1 for a in site.args if isinstance(a.ident, int)) + (1 if bound else 0)
    named = {a.ident for a in site.args if isinstance(a.ident, str)}
    return [
        i
        for i, (name, kind) in enumerate(function.params)
        if name not in named and (kind == "kwonly" or (kind == "pos" and i >= positional))
    ]


def _spread_item(arg: Carried, name: str) -> Carried | None:
    """What a spread gives the parameter ``name``: its item under that name.

    The caller's parameters it carries are passed by their item under ``name`` (a keyword of the
    caller's own `**kwargs`), so only a call giving that keyword reaches the sink.
    """
    item = _item(arg, key_digest(name))
    if item is None:
        return None
    keyed = tuple((i, key_digest(name)) for i in item.params)
    return Carried(item.ident, item.line, item.column, item.labels, item.params, item.protected, None, keyed)


def _schema_body(
    project: Project, site: CallSite, module: ModuleSummary, target: Target | None
) -> list[tuple[Carried, ParamSink, str]]:
    """A route parameter typed with a project schema collects each of the schema's personal fields."""
    if not isinstance(target, ClassTarget) or not site.args:
        return []
    fields: dict[str, str] = {}
    schema = None
    for owner in reversed(project.mro(target)):
        info = owner.module.classes[owner.key]
        schema = schema or info.schema
        fields.update(info.fields)
    if schema is None or not fields:
        return []
    arg = site.args[0]
    labels = tuple(
        sorted(
            {
                (category, f"{target.key}.{name}", "none", f"field {name} of schema {target.key}")
                for name, category in fields.items()
            }
        )
    )
    step = Step(module.path, arg.line or site.line, f"request body parsed into {target.key} ({schema})")
    body = Carried(arg.ident, arg.line, arg.column, labels, (), ())
    return [(body, ParamSink(-1, "collect", f"{schema}.{target.key}", "request", "none", (step,)), target.key)]


def _model_form(bases: set[str]) -> bool:
    """Whether a Django form's ``save`` is a ModelForm's: a plain ``Form`` with a ``save`` of its own is not."""
    return "Form" not in bases or any(base.endswith("ModelForm") for base in bases)


def _schema_use(
    project: Project, site: CallSite, module: ModuleSummary, target: Target | None
) -> list[tuple[Carried, ParamSink, str]]:
    """The personal fields of a form, schema or model that a call fills, writes or loads, at that call.

    ``form.populate_obj(user)`` (WTForms) and a ModelForm's ``form.save()`` store the form's fields;
    ``Schema().load(data)`` (marshmallow) collects the schema's; ``User.model_validate(data)`` and
    ``user.sqlmodel_update(data)`` on a table class store the table's.
    """
    cls = target.cls if isinstance(target, InstanceTarget) else target
    if not isinstance(cls, ClassTarget) or not site.args:
        return []
    method = site.method.strip("_")
    fields: dict[str, str] = {}
    protected: dict[str, str] = {}
    schema = store = None
    bases: set[str] = set()
    for owner in reversed(project.mro(cls)):
        info = owner.module.classes[owner.key]
        schema, store = info.schema or schema, info.store or store
        bases.update(base.rsplit(".", 1)[-1] for base in info.bases)
        fields.update(info.fields)
        protected.update(info.protected)
    if method == "populate_obj" and schema == "wtforms":
        action, via, what = "store", "wtforms.populate_obj", f"form {cls.key} copied onto a model"
        # The model filled is not known here; where the project's models protect a category (a
        # password behind a hashing setter), the form's field of that category is protected on the way in.
        for other in project.modules.values():
            for model in other.classes.values():
                if model.store is not None:
                    for category, protection in model.protected.items():
                        protected.setdefault(category, protection)
    elif method == "save" and schema == "django.forms" and "form" in split_words(cls.key) and _model_form(bases):
        action, via, what = "store", "django.forms.ModelForm.save", f"form {cls.key} saved to its model"
    elif method in ("load", "loads") and schema == "marshmallow":
        action, via, what = "collect", f"marshmallow.{cls.key}.load", f"input loaded by schema {cls.key}"
    elif method in ("model_validate", "parse_obj", "sqlmodel_update") and store is not None:
        action, via, what = "store", f"{store}.{cls.key}.{method}", f"input written to model {cls.key}"
    else:
        return []
    if not fields:
        return []
    kind = "request" if action == "collect" else "database"
    labels = tuple(
        sorted(
            {
                (category, f"{cls.key}.{name}", protected.get(category, "none") if action == "store" else "none", what)
                for name, category in fields.items()
            }
        )
    )
    arg = site.args[0]
    step = Step(module.path, arg.line or site.line, what)
    carried = Carried(method, arg.line, arg.column, labels, (), ())
    return [(carried, ParamSink(-1, action, via, kind, "none", (step,)), cls.key)]


def _external_model(qname: str) -> tuple[str, str] | None:
    """(model kind, class name) for a model class the project uses but does not define: Django's user model."""
    for known, kind in _EXTERNAL_MODELS.items():
        if qname == known:
            return kind, "User"
        for manager in MANAGERS:
            prefix = f"{known}.{manager}."
            if qname.startswith(prefix) and qname[len(prefix) :] in MODEL_WRITES:
                return kind, "User"
    return None


def _model_write(
    project: Project, site: CallSite, module: ModuleSummary, target: Target | None, knowledge: Knowledge
) -> list[tuple[Carried, ParamSink, str]]:
    """Arguments written to a model's fields: constructor and manager keywords, or an assigned attribute."""
    if isinstance(target, ExternalTarget) and site.method != "__setattr__":
        external = _external_model(target.qname)
        return _field_writes(site, module, external[1], external[0], {}, knowledge) if external else []
    if isinstance(target, ClassTarget) and site.method != "__setattr__":
        if site.transient:
            return []  # built only to be asked something (`User(password=typed).is_valid()`): no row
        cls = target
    elif isinstance(target, ModelWriteTarget):
        cls = target.cls
    elif isinstance(target, InstanceTarget) and site.method == "__setattr__":
        cls = target.cls
    else:
        return []
    info = cls.module.classes[cls.key]
    if info.store is None:
        return []
    fields: dict[str, str] = {}
    protected: dict[str, str] = {}
    owned: set[str] = set()
    for owner in reversed(project.mro(cls)):
        fields.update(owner.module.classes[owner.key].fields)
        protected.update(owner.module.classes[owner.key].protected)
        owned.update(owner.module.classes[owner.key].owned)
    if site.method != "__setattr__":
        # `User(plain_text_password=raw)`: a keyword only the model's own constructor takes is no column.
        owned.update(
            name
            for owner in project.mro(cls)
            for name in owner.module.classes[owner.key].constructor_only
            if name not in fields
        )
    table = next((o.module.classes[o.key].table for o in project.mro(cls) if o.module.classes[o.key].table), "")
    writes = _field_writes(site, module, cls.key, info.store, fields, knowledge, protected, table)
    return [write for write in writes if write[0].ident not in owned]  # LLMProvider(api_key=...): the provider's


def _spread_defaults(args: tuple[Carried, ...], fields: dict[str, str]) -> list[Carried]:
    """``update_or_create(user=u, defaults={"username": name})``: each key of a literal ``defaults`` that names
    one of the model's personal fields is that field (summaries keep literal keys as digests)."""
    named = {key_digest(name): name for name in fields}
    spread: list[Carried] = []
    for arg in args:
        if arg.ident in ("defaults", "create_defaults") and arg.fields is not None:
            params = dict(arg.field_params)
            for key, labels in arg.fields:
                if key in named:
                    spread.append(Carried(named[key], arg.line, arg.column, labels, params.get(key, ())))
                elif labels:
                    spread.append(Carried(arg.ident, arg.line, arg.column, labels, params.get(key, ())))
        else:
            spread.append(arg)
    return spread


def _field_writes(
    site: CallSite,
    module: ModuleSummary,
    model: str,
    kind: str,
    fields: dict[str, str],
    knowledge: Knowledge,
    protected: dict[str, str] | None = None,
    table: str = "",
) -> list[tuple[Carried, ParamSink, str]]:
    """Store points for the arguments written to a model's fields (in ``table`` when the model names it).

    A model that declares a category protected (a hashed password column behind a setter) is taken
    to protect every write of that category.
    """
    found: list[tuple[Carried, ParamSink, str]] = []
    for arg in _spread_defaults(site.args, fields):
        if isinstance(arg.ident, int):
            continue
        labels = arg.labels
        sink_protection = "none"
        if arg.ident not in ("*", "defaults", "values"):
            category = fields.get(arg.ident)
            if category is None:
                owner = tuple(split_words(model.rsplit(".", 1)[-1]))  # ApiClient(api_key=...): the client's key
                found_class = knowledge.classifier.classify_keyword(arg.ident, owner)
                category = found_class.category if found_class is not None else None
            if category is None:
                # A column whose name says nothing (`channel.value = email`) still stores what the value is.
                labels = tuple((lb[0], f"{model}.{arg.ident}", *lb[2:]) for lb in labels if not lb[0].startswith("@"))
                if not labels and not arg.params and not arg.protected:
                    continue
            else:
                protection = next((lb[2] for lb in labels if lb[2] != "none"), "none")
                if protection == "none" and protected:
                    protection = protected.get(category, "none")
                labels = ((category, f"{model}.{arg.ident}", protection, f"written to field {model}.{arg.ident}"),)
                # Callers that pass the value in are protected by the same setter.
                sink_protection = protected.get(category, "none") if protected else "none"
        else:
            # `User(**data)`: each spread field is protected where the model protects its category.
            labels = tuple(
                (lb[0], lb[1], protected.get(lb[0], "none") if lb[2] == "none" and protected else lb[2], lb[3])
                for lb in labels
            )
        store = f"{kind}, table {table}" if table else kind
        step = Step(module.path, arg.line or site.line, f"written to {model}.{arg.ident} ({store})")
        written = Carried(arg.ident, arg.line, arg.column, labels, arg.params, arg.protected, keyed=arg.keyed)
        found.append((written, ParamSink(-1, "store", kind, "database", sink_protection, (step,)), model))
    return found


def _reached(
    project: Project, site: CallSite, module: ModuleSummary, knowledge: Knowledge
) -> list[tuple[Carried, ParamSink, str]]:
    """(argument, sink it reaches, callee name) for every argument of the call that reaches a sink."""
    target = project.resolve_call(site, module)
    if isinstance(target, ChoiceTarget):
        # A registry's pick (`PROVIDERS[kind].send(...)`): whatever any of its options reaches.
        return [
            found for option in target.options for found in _reached_target(project, site, module, option, knowledge)
        ]
    return _reached_target(project, site, module, target, knowledge)


def _reached_target(
    project: Project, site: CallSite, module: ModuleSummary, target: Target | None, knowledge: Knowledge
) -> list[tuple[Carried, ParamSink, str]]:
    if site.method == RAISED:
        return _raised(project, site, module, target, knowledge)
    if site.method == "__body__":
        return _schema_body(project, site, module, target)
    if site.method.strip("_") in knowledge.frameworks.schema_uses and site.method.startswith("__"):
        return _schema_use(project, site, module, target)
    found: list[tuple[Carried, ParamSink, str]] = _model_write(project, site, module, target, knowledge)
    if found:
        return found
    if isinstance(target, ClassTarget):
        # `Mailer(to=user.email)`: what the class's own `__init__` (and the methods using what it keeps) sends.
        init = project.constructor(target)
        if init is not None:
            return _passed(site, module, init, knowledge)
    if isinstance(target, FunctionTarget):
        return _passed(site, module, target, knowledge)
    if isinstance(target, ExternalTarget) and target.qname != site.callee:
        # Only a name the project resolved to something new: the per-module pass already matched the rest.
        matched = match_resolved_sink(knowledge, site.method, target.qname)
        if matched is None:
            return found
        for arg in site.args:
            kind = sink_arg_kind(matched, site.method, arg.ident)
            if kind is None:
                continue
            if any(lb[0] == PERSON_MARK for lb in arg.labels):
                as_recipient = arg.ident in matched.recipients
                labels = tuple(
                    (PERSON_ADDRESS, *lb[1:]) if lb[0] == PERSON_MARK else lb
                    for lb in arg.labels
                    if lb[0] != PERSON_MARK or as_recipient
                )
                arg = Carried(arg.ident, arg.line, arg.column, labels, arg.params, arg.protected, keyed=arg.keyed)
            verb = _VERBS.get(matched.action, matched.action)
            step = Step(module.path, arg.line or site.line, f"{verb} by {matched.id} through {site.callee}")
            found.append((arg, ParamSink(-1, matched.action, matched.id, kind, "none", (step,)), target.qname))
    return found


def _passed(
    site: CallSite, module: ModuleSummary, target: FunctionTarget, knowledge: Knowledge
) -> list[tuple[Carried, ParamSink, str]]:
    """(argument, sink it reaches, callee name) for the arguments of a call to a project function."""
    function = target.summary
    found: list[tuple[Carried, ParamSink, str]] = []
    if not function.sinks:
        return found
    for arg in site.args:
        spread = _spread_into_named(function, site, arg, target.bound)
        for index in spread or parameters_bound(function, arg.ident, target.bound):
            pname = function.params[index][0]
            # `create(email=e, address=a)` into `**params`: each keyword is the item under its name.
            keyword_item = function.params[index][1] == "kwargs" and isinstance(arg.ident, str) and arg.ident != "*"
            for sink in function.sinks:
                if sink.param == index and not (site.caught and sink.via == "exception"):
                    if keyword_item and sink.key:
                        if sink.key != key_digest(str(arg.ident)):
                            continue
                        carried: Carried | None = arg
                    elif keyword_item and key_digest(str(arg.ident)) in function.popped.get(index, ()):
                        continue  # popped off `**user_data` before the rest of it reaches the sink
                    elif spread:
                        carried = _spread_item(arg, pname)
                    else:
                        carried = _item(arg, sink.key)
                        if carried is not None and not sink.key:
                            carried = _without(carried, function.popped.get(index, ()))
                    if carried is None:
                        continue
                    step = Step(module.path, arg.line or site.line, f"passed as `{pname}` to {target.name}")
                    # An operator command's helper prints to whoever runs the command (MIN303's console).
                    sink_kind = "console" if site.console and sink.via in knowledge.console_sinks else sink.kind
                    found.append(
                        (
                            carried,
                            ParamSink(
                                index,
                                sink.action,
                                sink.via,
                                sink_kind,
                                sink.protection,
                                (step, *sink.steps),
                                sink.key if arg.fields is None else "",
                            ),
                            target.name,
                        )
                    )
    return found


def _raised(
    project: Project, site: CallSite, module: ModuleSummary, target: object, knowledge: Knowledge
) -> list[tuple[Carried, ParamSink, str]]:
    """The arguments of a raised project exception that its message shows (all but keywords when unknown)."""
    shown: tuple[int | str, ...] | None = None
    name = site.callee
    if isinstance(target, ClassTarget):
        name = target.key
        for owner in project.mro(target):
            shown = owner.module.classes[owner.key].message
            if shown is not None:
                break
    message_keywords = knowledge.frameworks.exception_message_keywords
    kind = "console" if site.console else "exception"
    found: list[tuple[Carried, ParamSink, str]] = []
    for arg in site.args:
        if shown is not None:
            if arg.ident not in shown:
                continue  # the class builds its message without this argument
        elif isinstance(arg.ident, str) and arg.ident not in message_keywords:
            continue  # headers=, status_code=: only the message of an exception is its message
        step = Step(module.path, arg.line or site.line, f"in the message of {name}, raised")
        found.append((arg, ParamSink(-1, "log", "exception", kind, "none", (step,)), name))
    return found


def link(
    summaries: Iterable[ModuleSummary],
    knowledge: Knowledge,
    only: set[str] | None = None,
    project: Project | None = None,
) -> list[DataPoint]:
    """Data points that only the whole project shows, in the modules of ``only`` (every module if None).

    ``project``: the summaries' index when the caller keeps it for later passes (its resolutions are cached).
    """
    project = project if project is not None else Project(summaries)
    _propagate(project, knowledge)
    points: list[DataPoint] = []
    for module in project.modules.values():
        if only is not None and module.path not in only:
            continue
        for site in module.calls:
            if site.method != "__body__" and not any(arg.labels for arg in site.args):
                continue  # nothing personal is passed here (a route body's fields come from its schema)
            for arg, sink, _callee in _reached(project, site, module, knowledge):
                for category, identifier, protection, why in arg.labels:
                    if category == PERSON_MARK:
                        continue  # a person object that reached no recipient argument
                    if sink.protection != "none" and protection == "none":
                        protection = sink.protection
                    if sink.action != "store" and protection != "none":
                        continue  # protected data logged or sent is what protection is for
                    points.append(
                        DataPoint(
                            path=module.path,
                            line=arg.line or site.line,
                            column=arg.column,
                            action=sink.action,
                            category=category,
                            sensitivity=knowledge.sensitivity_of(category),
                            identifier=identifier,
                            via=sink.via,
                            protection=protection,
                            scope=site.scope,
                            sink_kind=knowledge.destination_kind(sink.kind, category),
                            trace=(why,) if why else (),
                            steps=sink.steps,
                        )
                    )
    return points


def _item(arg: Carried, key: str) -> Carried | None:
    """The argument as far as a sink using only its item under ``key`` sees it (None: that item carries nothing)."""
    if not key or arg.fields is None:
        return arg
    labels = dict(arg.fields).get(key, ())
    params = dict(arg.field_params).get(key, ())
    if not labels and not params and not arg.protected:
        return None
    return Carried(arg.ident, arg.line, arg.column, labels, params, arg.protected, None, arg.keyed)


def _without(arg: Carried, popped: tuple[str, ...]) -> Carried | None:
    """A dict argument once the callee has popped ``popped`` off it (None: nothing personal is left)."""
    if not popped or arg.fields is None:
        return arg
    fields = tuple((k, labels) for k, labels in arg.fields if k not in popped)
    field_params = tuple((k, params) for k, params in arg.field_params if k not in popped)
    labels = tuple(sorted({label for _k, kept in fields for label in kept}))
    params = tuple(sorted({i for _k, kept in field_params for i in kept}))
    if not labels and not params and not arg.protected:
        return None
    return Carried(arg.ident, arg.line, arg.column, labels, params, arg.protected, fields, arg.keyed, field_params)


def _propagate(project: Project, knowledge: Knowledge) -> None:
    """Give each function the sinks its parameters reach through further calls, to a bounded fixpoint."""
    known: Known = {}
    for module in project.modules.values():
        for key, function in module.functions.items():
            known[(module.module, key)] = {
                (s.param, s.action, s.via, s.kind, s.protection, s.key) for s in function.sinks
            }
    for _round in range(MAX_CALL_DEPTH):
        added = kept_by_constructors(project.modules.values(), known)
        for module in project.modules.values():
            for site in module.calls:
                if site.function is None or site.function not in module.functions:
                    continue
                if not any(arg.params or arg.protected for arg in site.args):
                    continue
                caller = module.functions[site.function]
                have = known[(module.module, site.function)]
                for arg, sink, _callee in _reached(project, site, module, knowledge):
                    for index, protection in [(i, "none") for i in arg.params] + list(arg.protected):
                        effective = sink.protection if sink.protection != "none" else protection
                        # The caller's parameter passed whole is used by the callee's key; one passed by an
                        # item of its own is used by that item.
                        keys = [k for i, k in arg.keyed if i == index] or [sink.key]
                        for key in keys:
                            seen = (index, sink.action, sink.via, sink.kind, effective, key)
                            if seen in have:
                                continue
                            have.add(seen)
                            caller.sinks.append(
                                ParamSink(index, sink.action, sink.via, sink.kind, effective, sink.steps, key)
                            )
                            added = True
        if not added:
            return
