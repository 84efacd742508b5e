"""Whether a request's URL points at the application's own services: loopback, a private host, its backend."""

from __future__ import annotations

import ipaddress
import re
from collections import deque
from collections.abc import Callable
from urllib.parse import urlsplit

import libcst as cst

from minimise.analysis.facts import Scope
from minimise.analysis.syntax import dotted_name, literal_string, name_of
from minimise.knowledge.records import Frameworks
from minimise.positions import code_children
from minimise.words import split_words


def url_is_own(
    url: cst.BaseExpression,
    scope: Scope,
    literal_of: Callable[[cst.BaseExpression], str | None],
    frameworks: Frameworks,
) -> bool:
    """Whether the request ``url`` goes to the app's own service rather than to a third party.

    ``f"{self.backend_url}/auth"``, ``"http://127.0.0.1:8080/api"``, ``f"http://api:8000/{path}"`` (a
    service name on the app's private network), or a URL from a parameter whose default is one.
    """
    head = _head(url)
    if isinstance(head, cst.Name) and literal_of(head) is None and _param_default(head.value, scope) is None:
        assigned = _assigned(head.value, scope)  # `url = "{}/auth/".format(self.domain)`, then `post(url)`
        followed = _head(assigned) if assigned is not None else None
        # Only a literal or a name is read further: evaluating anything else here would run its calls again.
        if isinstance(followed, str) or (
            isinstance(followed, (cst.Name, cst.Attribute)) and dotted_name(followed) not in (None, head.value)
        ):
            head = followed
    if isinstance(head, str):
        return _local_url(head, frameworks.own_service_hosts)
    if head is None:
        return False
    text = literal_of(head)
    if text is None and isinstance(head, cst.Name):
        text = _param_default(head.value, scope)
    if text is not None:
        return _local_url(text, frameworks.own_service_hosts)
    name = _last_name(head)
    return name is not None and not frameworks.own_service_words.isdisjoint(split_words(name))


def names_login_endpoint(url: cst.BaseExpression, scope: Scope, words: frozenset[str]) -> bool:
    """Whether a request's URL names a sign-in or token endpoint (``/oauth/token``, ``settings.IDP_TOKEN_URL``).

    A URL held in a local name is read where the function assigns it (``url = "{}/auth/".format(base)``).
    """
    if isinstance(url, cst.Name):
        url = _assigned(url.value, scope) or url
    found: set[str] = set()
    pending: list[cst.CSTNode] = [url]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.SimpleString, cst.FormattedStringText)):
            text = literal_string(node) if isinstance(node, cst.SimpleString) else node.value
            if text:
                # A URL's path says what the endpoint does; its host names the service.
                found.update(split_words(text.split("://", 1)[1].partition("/")[2] if "://" in text else text))
        elif isinstance(node, cst.Name):
            found.update(split_words(node.value))
        pending.extend(code_children(node))
    return not words.isdisjoint(found)


def _assigned(name: str, scope: Scope) -> cst.BaseExpression | None:
    """The value the function around ``scope`` last assigns to ``name`` in a plain assignment, if any."""
    if scope.node is None:
        return None
    if scope.assigned is None:
        scope.assigned = _assignments_of(scope.node)
    return scope.assigned.get(name)


def _assignments_of(function: cst.FunctionDef) -> dict[str, cst.BaseExpression]:
    values: dict[str, cst.BaseExpression] = {}
    pending: deque[cst.CSTNode] = deque([function.body])
    while pending:
        node = pending.popleft()
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    values[target.target.value] = node.value
        elif not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.BaseExpression)):
            pending.extend(code_children(node))  # statements only: whitespace and expressions hold no Assign
    return values


def _local_url(text: str, hosts: frozenset[str]) -> bool:
    if "://" not in text:
        return False
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return False
    if not host or "{" in host:
        return False
    if "." not in host or host in hosts or any(host.endswith(h) for h in hosts if h.startswith(".")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


def _head(url: cst.BaseExpression) -> str | cst.BaseExpression | None:
    """The literal text a URL starts with, or the expression its host comes from."""
    while True:
        if isinstance(url, cst.SimpleString):
            return literal_string(url)
        if isinstance(url, cst.ConcatenatedString):
            url = url.left
        elif isinstance(url, cst.BinaryOperation) and isinstance(url.operator, cst.Add):
            url = url.left
        elif isinstance(url, cst.FormattedString):
            return _fstring_head(url)
        elif isinstance(url, cst.Call):
            joined = _joined_base(url)
            if joined is None:
                return None
            url = joined
        else:
            return url


def _fstring_head(url: cst.FormattedString) -> str | cst.BaseExpression | None:
    parts = url.parts
    if not parts:
        return None
    first = parts[0]
    if isinstance(first, cst.FormattedStringExpression):
        return first.expression
    if not isinstance(first, cst.FormattedStringText):
        return None
    text = first.value
    if text.endswith("://") and len(parts) > 1 and isinstance(parts[1], cst.FormattedStringExpression):
        return parts[1].expression  # f"https://{host}/..."
    return text


def _joined_base(call: cst.Call) -> cst.BaseExpression | None:
    """The base of ``urljoin(base, path)`` or of ``"{}/users".format(base)``."""
    name = name_of(call.func) or ""
    if name.rsplit(".", 1)[-1] == "urljoin" and call.args:
        return call.args[0].value
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "format" and call.args:
        template = literal_string(func.value) if isinstance(func.value, cst.SimpleString) else None
        if template is not None and template.startswith("{}"):
            return call.args[0].value
    return None


def _last_name(expr: cst.BaseExpression) -> str | None:
    """The name a value is read by: ``backend_url``, the ``BACKEND_URL`` of ``settings.BACKEND_URL``,
    ``os.environ["BACKEND_URL"]`` or ``os.getenv("BACKEND_URL")``."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
        index = expr.slice[0].slice
        if isinstance(index, cst.Index):
            return literal_string(index.value)
    if isinstance(expr, cst.Call) and expr.args:
        return literal_string(expr.args[0].value)
    return None


def _param_default(name: str, scope: Scope | None) -> str | None:
    """The literal default of the parameter ``name`` of the function around ``scope`` or one enclosing it."""
    while scope is not None:
        node = scope.node
        if node is not None:
            for param in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params):
                if param.name.value == name:
                    return literal_string(param.default) if param.default is not None else None
        scope = scope.parent
    return None


def names_the_project(class_name: str, module_name: str, client_words: frozenset[str]) -> bool:
    """Whether a class is the project's own API client: its name is the project's, then client words.

    The project's name is the first word of the top package (`surfsense` of `surfsense_mcp.core`), and
    the class's other words spell it (`SurfSenseClient`, `SurfsenseApiClient`).
    """
    project = re.split(r"[_\-]", module_name.split(".", 1)[0], maxsplit=1)[0].lower()
    words = split_words(class_name)
    if len(project) < 3 or not words or words[-1] not in client_words:
        return False
    return "".join(w for w in words if w not in client_words) == project
