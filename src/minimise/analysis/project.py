"""The project-wide link: resolve names across modules, propagate summaries to a fixpoint, emit data points.

Phase one (per module, cached) leaves a summary of each module: which parameters of its functions
reach which sinks, what its names are bound to, which calls it could not settle. This phase joins
them: a call ``audit("signup", email=user.email)`` whose callee, in another module, hands its
``**fields`` to ``logger.info`` becomes a data point at the call, with the steps that lead there.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

from minimise.analysis.constructors import Known, kept_by_constructors
from minimise.analysis.sinkmatch import match_resolved_sink, sink_arg_kind
from minimise.analysis.summary import CallSite, Carried, FunctionSummary, ModuleSummary, ParamSink, key_digest
from minimise.analysis.vocabulary import PERSON_ADDRESS, PERSON_MARK, RAISED
from minimise.knowledge import Knowledge
from minimise.model import DataPoint, Step
from minimise.words import split_words

# Rounds of propagation through calls: data passed through this many project functions in a row
# still reaches its sink. Documented in ARCHITECTURE.md.
MAX_CALL_DEPTH = 6
# How many names a resolution may follow (aliases, re-exports, factories) before giving up.
MAX_RESOLVE_STEPS = 12

_VERBS = {"log": "logged", "share": "sent", "store": "stored", "collect": "collected"}


@dataclass(frozen=True)
class FunctionTarget:
    module: ModuleSummary
    key: str
    summary: FunctionSummary
    bound: bool  # called on an instance: the first parameter is the instance

    @property
    def name(self) -> str:
        return f"{self.module.module}.{self.key}"


@dataclass(frozen=True)
class ClassTarget:
    module: ModuleSummary
    key: str


@dataclass(frozen=True)
class InstanceTarget:
    """An instance of a project class: constructed, loaded by a query, or a parameter typed with it."""

    cls: ClassTarget


@dataclass(frozen=True)
class ModelWriteTarget:
    """A manager or class method that writes rows: ``User.objects.create``, ``Model.create``, ``.update``."""

    cls: ClassTarget
    method: str


@dataclass(frozen=True)
class ExternalTarget:
    qname: str


Target = FunctionTarget | ClassTarget | InstanceTarget | ModelWriteTarget | ExternalTarget

# Manager and class methods that write what their keyword arguments say, and those that load an instance.
_MODEL_WRITES = frozenset({"create", "get_or_create", "update_or_create", "update", "bulk_create", "insert", "replace"})
_MODEL_READS = frozenset(
    {"get", "first", "last", "one", "one_or_none", "get_or_404", "first_or_404", "latest", "earliest", "get_by_id"}
)
_MANAGERS = frozenset({"objects", "query", "_default_manager"})
# Model classes from frameworks, written by the project like its own.
_EXTERNAL_MODELS = {
    "django.contrib.auth.get_user_model()": "django.db.models",
    "django.contrib.auth.models.User": "django.db.models",
}


class Project:
    """Every module summary of the scanned tree, and name resolution across them."""

    def __init__(self, summaries: Iterable[ModuleSummary]) -> None:
        self.modules: dict[str, ModuleSummary] = {}
        for summary in summaries:
            self.modules.setdefault(summary.module, summary)
        # A project imported as ``app.utils`` may be scanned as ``backend/app/utils.py``: every unique
        # dotted suffix of a module name also names it.
        # Only suffixes that start at a package count, and never one that starts with a standard
        # library name: `shopapp/utils/logging.py` must not hide `import logging`.
        packages = {".".join(n.split(".")[:i]) for n in self.modules for i in range(1, n.count(".") + 1)}
        counts: dict[str, int] = {}
        owners: dict[str, str] = {}
        for name in self.modules:
            parts = name.split(".")
            for start in range(1, len(parts)):
                if ".".join(parts[: start + 1]) not in packages or parts[start] in sys.stdlib_module_names:
                    continue
                alias = ".".join(parts[start:])
                counts[alias] = counts.get(alias, 0) + 1
                owners[alias] = name
        self.aliases = {a: owners[a] for a, n in counts.items() if n == 1 and a not in self.modules}
        self._resolved: dict[str, Target | None] = {}
        self._mros: dict[tuple[str, str], list[ClassTarget]] = {}
        self._calls: dict[tuple[str, int], Target | None] = {}

    def module(self, dotted: str) -> ModuleSummary | None:
        found = self.modules.get(dotted)
        if found is None and dotted in self.aliases:
            found = self.modules[self.aliases[dotted]]
        return found

    # ---------------------------------------------------------------- resolution
    def resolve(self, qname: str, steps: int = 0) -> Target | None:
        # Names resolve the same way throughout a link: remember the answer of each top-level question.
        if steps == 0:
            if qname not in self._resolved:
                self._resolved[qname] = self._resolve(qname, 0)
            return self._resolved[qname]
        return self._resolve(qname, steps)

    def _resolve(self, qname: str, steps: int) -> Target | None:
        if steps > MAX_RESOLVE_STEPS:
            return None
        tokens = qname.split(".")
        for cut in range(len(tokens) - 1, 0, -1):
            if any(t.endswith(("()", "[]")) for t in tokens[:cut]):
                continue
            module = self.module(".".join(tokens[:cut]))
            if module is not None:
                return self._within(module, tokens[cut:], steps)
        return ExternalTarget(qname)

    def _within(self, module: ModuleSummary, rest: list[str], steps: int) -> Target | None:
        head, tail = rest[0], rest[1:]
        called = head.endswith("()")
        name = head.removesuffix("()")
        if name in module.functions:
            function = module.functions[name]
            if not tail and not called:
                return FunctionTarget(module, name, function, bound=False)
            if tail == ["delay"] and not called:
                # A task queued with .delay(...) runs later with the same arguments. A module-level
                # task whose first parameter is `self` is bound (bind=True): Celery passes the task there.
                bound_task = not function.is_method and bool(function.params) and function.params[0][0] == "self"
                return FunctionTarget(module, name, function, bound=bound_task)
            if called and function.returns_qname:
                return self.resolve(".".join([function.returns_qname, *tail]), steps + 1)
            return None
        if name in module.classes:
            if not tail:
                return InstanceTarget(ClassTarget(module, name)) if called else ClassTarget(module, name)
            return self._member(ClassTarget(module, name), tail, instance=called, steps=steps)
        if name in module.bindings:
            target = module.bindings[name] + ("()" if called else "")
            return self.resolve(".".join([target, *tail]), steps + 1)
        submodule = self.module(f"{module.module}.{name}")
        if submodule is not None and tail and not called:
            return self._within(submodule, tail, steps + 1)
        for star in module.star_imports:  # a package re-exporting its modules' names (`from .failed import *`)
            source = self.module(star)
            if source is not None and source is not module and steps < MAX_RESOLVE_STEPS:
                found = self._within(source, rest, steps + 1)
                if found is not None:
                    return found
        return None

    def constructor(self, cls: ClassTarget) -> FunctionTarget | None:
        """The project's own ``__init__`` a call to ``cls`` runs, bound to the new instance (None: a library's)."""
        for owner in self.mro(cls):
            key = f"{owner.key}.__init__"
            function = owner.module.functions.get(key)
            if function is not None:
                return FunctionTarget(owner.module, key, function, bound=True)
        return None

    def _member(self, cls: ClassTarget, rest: list[str], instance: bool, steps: int) -> Target | None:
        """``Cls().method``, ``Cls.method`` or an attribute of the instance, looked up through the bases."""
        head, tail = rest[0], rest[1:]
        called = head.endswith("()")
        name = head.removesuffix("()")
        for owner in self.mro(cls):
            key = f"{owner.key}.{name}"
            function = owner.module.functions.get(key)
            if function is not None:
                if _writes_keywords(cls, name, function, instance, rest):
                    return ModelWriteTarget(cls, name)
                if not tail and not called:
                    # A classmethod called on its class (`Manager.add_user(name)`) is bound to it: `cls` is given.
                    takes_cls = bool(function.params) and function.params[0][0] == "cls"
                    return FunctionTarget(
                        owner.module, key, function, bound=function.is_method and (instance or takes_cls)
                    )
                if called and function.returns_qname:
                    return self.resolve(".".join([function.returns_qname, *tail]), steps + 1)
                return None
            attr = owner.module.classes[owner.key].attrs.get(name)
            if attr is not None and instance:
                return self.resolve(".".join([attr + ("()" if called else ""), *tail]), steps + 1)
        if cls.module.classes[cls.key].store is not None and not instance:
            return self._model_access(cls, rest)
        # Nothing in the project defines it: a subclass of a library class inherits the library's methods
        # (`class MailBuilder(djmail.template_mail.MagicMailBuilder)`).
        for owner in self.mro(cls):
            for base in owner.module.classes[owner.key].bases:
                if isinstance(self.resolve(base, steps + 1), ExternalTarget):
                    return ExternalTarget(".".join([base + ("()" if instance else ""), *rest]))
        return None

    @staticmethod
    def _model_access(cls: ClassTarget, rest: list[str]) -> Target | None:
        """``User.objects.create`` writes; ``User.query.filter_by(...).first()`` loads an instance."""
        if len(rest) > 1 and rest[0] not in _MANAGERS:
            return None
        last = rest[-1]
        method = last.removesuffix("()")
        if not last.endswith("()") and method in _MODEL_WRITES:
            return ModelWriteTarget(cls, method)
        if last.endswith("()") and method in _MODEL_READS:
            return InstanceTarget(cls)
        return None

    def mro(self, cls: ClassTarget, depth: int = 0) -> list[ClassTarget]:
        if depth == 0:
            key = (cls.module.module, cls.key)
            if key not in self._mros:
                self._mros[key] = self._mro(cls, 0)
            return self._mros[key]
        return self._mro(cls, depth)

    def _mro(self, cls: ClassTarget, depth: int) -> list[ClassTarget]:
        found = [cls]
        if depth > 8:
            return found
        for base in cls.module.classes[cls.key].bases:
            target = self.resolve(base)
            if isinstance(target, ClassTarget) and target not in found:
                found.extend(t for t in self.mro(target, depth + 1) if t not in found)
        return found

    def resolve_call(self, site: CallSite, module: ModuleSummary) -> Target | None:
        key = (module.module, id(site))
        if key not in self._calls:
            self._calls[key] = self._resolve_call(site, module)
        return self._calls[key]

    def _resolve_call(self, site: CallSite, module: ModuleSummary) -> Target | None:
        callee = site.callee
        head, _, rest = callee.partition(".")
        if head in ("self", "cls") and site.cls is not None and site.cls in module.classes and rest:
            return self._member(ClassTarget(module, site.cls), rest.split("."), instance=True, steps=0)
        return self.resolve(callee)


# ------------------------------------------------------------------- the link
def _param_index(function: FunctionSummary, ident: int | str, bound: bool) -> list[int]:
    """Which parameters of the callee an argument binds to."""
    params = function.params
    if isinstance(ident, int):
        position = ident + (1 if bound else 0)
        if position < len(params) and params[position][1] == "pos":
            return [position]
        return [i for i, (_, kind) in enumerate(params) if kind == "star"]
    if ident == "*":
        return [i for i, (_, kind) in enumerate(params) if kind in ("star", "kwargs")]
    for i, (name, kind) in enumerate(params):
        if name == ident and kind in ("pos", "kwonly"):
            return [i]
    return [i for i, (_, kind) in enumerate(params) if kind == "kwargs"]


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


def _writes_keywords(cls: ClassTarget, name: str, function: FunctionSummary, instance: bool, rest: list[str]) -> bool:
    """A model's own ``create(cls, **kwargs)`` (a CRUD mixin): its keywords are the row's fields."""
    if instance or len(rest) != 1 or name not in _MODEL_WRITES or cls.module.classes[cls.key].store is None:
        return False
    return any(kind == "kwargs" for _name, kind in function.params)


def _external_model(qname: str) -> tuple[str, str] | None:
    """(model kind, class name) for a model class the project uses but does not define: Django's user model."""
    for known, kind in _EXTERNAL_MODELS.items():
        if qname == known:
            return kind, "User"
        for manager in _MANAGERS:
            prefix = f"{known}.{manager}."
            if qname.startswith(prefix) and qname[len(prefix) :] in _MODEL_WRITES:
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
    for arg in site.args:
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
        for index in spread or _param_index(function, arg.ident, target.bound):
            pname = function.params[index][0]
            # `create(email=e, address=a)` into `**params`: each keyword is the item under its name.
            keyword_item = function.params[index][1] == "kwargs" and isinstance(arg.ident, str) and arg.ident != "*"
            for sink in function.sinks:
                if sink.param == index and not (site.caught and sink.via == "exception"):
                    if keyword_item and sink.key:
                        if sink.key != key_digest(str(arg.ident)):
                            continue
                        carried: Carried | None = arg
                    elif spread:
                        carried = _spread_item(arg, pname)
                    else:
                        carried = _item(arg, sink.key)
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


def link(summaries: Iterable[ModuleSummary], knowledge: Knowledge, only: set[str] | None = None) -> list[DataPoint]:
    """Data points that only the whole project shows, in the modules of ``only`` (every module if None)."""
    project = Project(summaries)
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
