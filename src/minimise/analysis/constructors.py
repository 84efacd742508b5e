"""What objects keep from their constructor: the sinks a class's methods reach with it, given to ``__init__``."""

from __future__ import annotations

from collections.abc import Iterable

from minimise.analysis.summary import ATTRIBUTE_PARAM, ModuleSummary, ParamSink
from minimise.model import Step

# Per function (module, key): the sinks it is known to reach, as (param, action, via, kind, protection, key).
Known = dict[tuple[str, str], set[tuple[int, str, str, str, str, str]]]


def kept_by_constructors(modules: Iterable[ModuleSummary], known: Known) -> bool:
    """Give each ``__init__`` the sinks its methods reach with what it kept from its parameters (``self.to = to``).

    Whoever builds the object is taken to use it: `Mailer(to=user.email)` sends what `Mailer.send` sends of
    `self.to`. Returns whether any sink was added.
    """
    added = False
    for module in modules:
        for key, method in module.functions.items():
            name, dot, method_name = key.partition(".")
            cls = module.classes.get(name)
            if not dot or "." in method_name or method_name == "__init__" or cls is None or not cls.attr_params:
                continue
            init = module.functions.get(f"{name}.__init__")
            if init is None:
                continue
            have = known[(module.module, f"{name}.__init__")]
            for sink in list(method.sinks):
                index = sink.param - ATTRIBUTE_PARAM
                if index < 0 or index >= len(init.params):
                    continue
                seen = (index, sink.action, sink.via, sink.kind, sink.protection, sink.key)
                if seen in have:
                    continue
                have.add(seen)
                kept = ", ".join(f"`self.{a}`" for a, i in sorted(cls.attr_params.items()) if i == index)
                used = f"kept as {kept or 'an attribute'} and used by {module.module}.{key}"
                steps = (Step(module.path, method.line, used), *sink.steps)
                init.sinks.append(ParamSink(index, sink.action, sink.via, sink.kind, sink.protection, steps, sink.key))
                added = True
    return added
