"""Loading data-inventory.yaml strictly: every problem is an InventoryError with file, line and column."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import yaml

from minimise.inventory.patterns import compile_pattern, normalise_name
from minimise.inventory.schema import (
    ACTION_KEYS,
    ENCRYPTION,
    ID_PATTERN,
    LAWFUL_BASES,
    PROTECT_WITH,
    RECIPIENT_KINDS,
    RENAMED_KEYS,
    RESPONSIBILITIES,
    SCHEMA_VERSION,
    SPECIAL_CATEGORY_BASES,
    STATUSES,
    STORE_KINDS,
    TRANSFER_SAFEGUARDS,
    UNKNOWN_DATA,
    Defaults,
    Inventory,
    Item,
    Location,
    Match,
    NonPersonal,
    Recipient,
    Retention,
    Store,
    System,
)
from minimise.model import SENSITIVITIES
from minimise.taxonomy import Taxonomy
from minimise.yamlio import MAX_YAML_BYTES, YamlError, parse_yaml

if TYPE_CHECKING:
    from minimise.knowledge import Knowledge

MAX_INVENTORY_BYTES = MAX_YAML_BYTES
MAX_ITEMS = 5000
_ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")

_TOP = {"version", "taxonomy", "system", "recipients", "stores", "defaults", "data", "non_personal", "erasure"}
_TAXONOMY = {"base", "aliases"}
_SYSTEM = {"name", "owner", "subjects", "responsibility"}
_RECIPIENT = {"kind", "vendor", "purpose", "country", "transfer", "dpa", "via", "description"}
_TRANSFER = {"safeguard", "document"}
_STORE = {"kind", "encrypted_at_rest", "via", "description"}
_DEFAULTS = {"unknown_data", "log_allowed_up_to", "allow"}
_ITEM = {
    "id",
    "label",
    "category",
    "subjects",
    "sensitivity",
    "purposes",
    "lawful_basis",
    "special_category_basis",
    "retention",
    "owner",
    "match",
    "allow",
    "encryption",
    "protect_with",
    "paths",
    "status",
    "description",
}
_MATCH = {"names", "patterns", "fields", "exclude"}
_RETENTION = {"period", "after", "until"}
_NON_PERSONAL = {"name", "pattern", "reason"}


class InventoryError(Exception):
    """A data inventory that cannot be used, with the place to fix it and what to do."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = path
        self.line = line
        self.column = column
        self.message = message


# ------------------------------------------------------------------------- reader
class _Reader:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self._root: Any = None
        self._composed = False

    def location(self, key_path: tuple[object, ...]) -> Location:
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self.text, Loader=yaml.SafeLoader)
            except yaml.YAMLError:
                self._root = None
        node = self._root
        mark = node.start_mark if node is not None else None
        for step in key_path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == step:
                        mark, node = key_node.start_mark, value_node
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                mark = node.start_mark
            else:
                break
        if mark is None:
            return Location(1, 1)
        return Location(mark.line + 1, mark.column + 1)

    def fail(self, key_path: tuple[object, ...], message: str) -> NoReturn:
        where = _dotted(key_path)
        at = self.location(key_path)
        raise InventoryError(self.path, at.line, at.column, f"{where}: {message}" if where else message)

    def mapping(self, value: Any, key_path: tuple[object, ...], allowed: set[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(key_path, f"expected a mapping, got {_kind(value)}")
        for key in value:
            if not isinstance(key, str):
                self.fail(key_path, f"keys must be text, got {_kind(key)} {key!r}")
            if key not in allowed and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,63}", key):
                # Not even a name: maybe not an inventory at all (a secret file?); never echo it.
                self.fail(key_path, f"a key that is not a setting name; allowed keys: {', '.join(sorted(allowed))}")
            if key not in allowed:
                import difflib

                close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.fail(key_path + (key,), f"unknown key {key!r}; {hint}allowed keys: {', '.join(sorted(allowed))}")
        return value

    def string(self, value: Any, key_path: tuple[object, ...], required: bool = False) -> str:
        if value is None:
            if required:
                self.fail(key_path, "is required: add it as text")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(key_path, f"expected text, got {_kind(value)}")
        text = str(value).strip()
        if required and not text:
            self.fail(key_path, "must not be empty")
        return text

    def strings(self, value: Any, key_path: tuple[object, ...], single: bool = True) -> tuple[str, ...]:
        if value is None:
            return ()
        if single and isinstance(value, str):
            return (value,)
        if not isinstance(value, list):
            self.fail(key_path, f"expected a list of text, got {_kind(value)}")
        out = []
        for i, entry in enumerate(value):
            if isinstance(entry, bool) or not isinstance(entry, (str, int)):
                self.fail(key_path + (i,), f"expected text, got {_kind(entry)}")
            out.append(str(entry))
        return tuple(out)

    def choice(self, value: Any, key_path: tuple[object, ...], choices: tuple[str, ...]) -> str:
        text = self.string(value, key_path)
        if text and text not in choices:
            self.fail(key_path, f"{text!r} is not one of: {', '.join(choices)}")
        return text

    def boolean(self, value: Any, key_path: tuple[object, ...]) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(key_path, f"expected true or false, got {_kind(value)} {value!r}")
        return value


def _kind(value: Any) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _dotted(key_path: tuple[object, ...]) -> str:
    out = ""
    for step in key_path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
    return out


# ------------------------------------------------------------------------- loading
def load_inventory(path: Path, display: str | None = None, knowledge: Knowledge | None = None) -> Inventory:
    """Read and validate an inventory file or raise InventoryError."""
    shown = display or str(path)
    from minimise.inputs import InputError, read_input

    try:
        raw = read_input(path, "data inventory", MAX_INVENTORY_BYTES)
    except InputError as exc:
        hint = "; split the inventory or remove generated content" if "larger than" in exc.reason else ""
        raise InventoryError(shown, 1, 1, exc.reason + hint) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InventoryError(shown, line, 1, f"not UTF-8 text ({exc.reason}); save the file as UTF-8") from None
    return parse_inventory(text, shown, knowledge)


def parse_inventory(text: str, path: str = "data-inventory.yaml", knowledge: Knowledge | None = None) -> Inventory:
    """Validate inventory YAML text or raise InventoryError."""
    if len(text.encode("utf-8", "replace")) > MAX_INVENTORY_BYTES:
        raise InventoryError(
            path,
            1,
            1,
            f"file is larger than {MAX_INVENTORY_BYTES // (1024 * 1024)} MiB; "
            "split the inventory or remove generated content",
        )
    try:
        data = parse_yaml(text, path)
    except YamlError as exc:
        raise InventoryError(path, exc.line, _error_column(text), exc.message + _yaml_hint(exc.message)) from None
    if knowledge is None:
        from minimise.knowledge import load_knowledge

        knowledge = load_knowledge()
    return _Builder(_Reader(path, text), knowledge).build(data)


def _error_column(text: str) -> int:
    from minimise.yamlio import strict_loader

    try:
        yaml.load(text, Loader=strict_loader())  # noqa: S506 - strict safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark.column + 1 if mark is not None else 1
    except (yaml.YAMLError, RecursionError):
        return 1
    return 1


def _yaml_hint(message: str) -> str:
    if "aliases" in message or "anchors" in message:
        return "; write the values out in full instead of using &anchors and *aliases"
    if "duplicate key" in message:
        return "; merge the two entries or rename one"
    if "could not determine a constructor" in message:
        return "; remove the !tag, inventories hold plain YAML only"
    return "; fix the YAML syntax"


class _Builder:
    def __init__(self, reader: _Reader, knowledge: Knowledge) -> None:
        self.r = reader
        self.knowledge = knowledge
        self.taxonomy: Taxonomy = knowledge.taxonomy
        self.aliases: dict[str, str] = {}

    # keys of the taxonomy --------------------------------------------------
    def key(self, value: str, where: tuple[object, ...], kind: str) -> str:
        pool = getattr(self.taxonomy, kind)
        key = self.aliases.get(value, value) if kind == "categories" else value
        noun = {"categories": "data category", "uses": "data use", "subjects": "data subject"}[kind]
        if key in pool:
            entry = pool[key]
            if entry.deprecated:
                repl = f"; use {entry.replaced_by!r} instead" if entry.replaced_by else ""
                self.r.fail(where, f"{noun} {value!r} is deprecated since fideslang {entry.deprecated}{repl}")
            return key
        if key in RENAMED_KEYS and RENAMED_KEYS[key] in pool:
            new = RENAMED_KEYS[key]
            self.r.fail(where, f"{noun} {value!r} is deprecated (an old fideslang key); use {new!r} instead")
        hint = self.taxonomy.suggest(key, kind)
        extra = "" if hint else " (see the fideslang taxonomy, or add an alias under taxonomy.aliases)"
        self.r.fail(where, f"unknown {noun} {value!r}{hint}{extra}")
        return key

    def name(self, value: Any, where: tuple[object, ...], what: str) -> str:
        text = self.r.string(value, where, required=True)
        if not ID_PATTERN.match(text):
            self.r.fail(where, f"{what} {text!r} may only use letters, digits, _ . - < > (and not start with - . < >)")
        return text

    # top level ---------------------------------------------------------------
    def build(self, data: Any) -> Inventory:
        r = self.r
        if data is None:
            r.fail(
                (),
                "the data inventory is empty; start with `version: 1` and a `data:` list "
                "(`minimise inventory init` writes a starter)",
            )
        if not isinstance(data, dict):
            r.fail((), f"expected a mapping at the top level, got {_kind(data)}")
        r.mapping(data, (), _TOP)
        version = data.get("version")
        if version is None:
            r.fail((), f"version is required: add `version: {SCHEMA_VERSION}` at the top")
        if isinstance(version, bool) or version != SCHEMA_VERSION:
            r.fail(("version",), f"unsupported version {version!r}; this minimise reads version {SCHEMA_VERSION}")
        inv = Inventory(path=r.path, version=SCHEMA_VERSION)
        tax = r.mapping(data.get("taxonomy"), ("taxonomy",), _TAXONOMY)
        base = r.string(tax.get("base"), ("taxonomy", "base"))
        if base and base not in ("fideslang-2", "fideslang"):
            r.fail(("taxonomy", "base"), f"unknown taxonomy {base!r}; use fideslang-2")
        aliases = tax.get("aliases")
        if aliases is not None:
            r.mapping(aliases, ("taxonomy", "aliases"), set(aliases) if isinstance(aliases, dict) else set())
            for alias, target in aliases.items():
                where = ("taxonomy", "aliases", alias)
                target = r.string(target, where, required=True)
                if target not in self.taxonomy.categories:
                    r.fail(where, f"alias target {target!r} is not a data category{self.taxonomy.suggest(target)}")
                self.aliases[alias] = target
        inv.aliases = dict(self.aliases)
        inv.system = self.system(data.get("system"))
        inv.recipients = self.recipients(data.get("recipients"))
        inv.stores = self.stores(data.get("stores"))
        inv.defaults = self.defaults(data.get("defaults"), inv)
        inv.items = self.items(data.get("data"), inv)
        inv.non_personal = self.non_personal(data.get("non_personal"))
        return inv

    def system(self, value: Any) -> System:
        r = self.r
        m = r.mapping(value, ("system",), _SYSTEM)
        subjects = tuple(
            self.key(s, ("system", "subjects", i), "subjects")
            for i, s in enumerate(r.strings(m.get("subjects"), ("system", "subjects")))
        )
        return System(
            name=r.string(m.get("name"), ("system", "name")),
            owner=r.string(m.get("owner"), ("system", "owner")),
            subjects=subjects,
            responsibility=r.choice(m.get("responsibility"), ("system", "responsibility"), RESPONSIBILITIES),
        )

    def recipients(self, value: Any) -> dict[str, Recipient]:
        r = self.r
        out: dict[str, Recipient] = {}
        table = r.mapping(value, ("recipients",), set(value) if isinstance(value, dict) else set())
        for name, spec in table.items():
            where = ("recipients", name)
            self.name(name, where, "recipient name")
            m = r.mapping(spec, where, _RECIPIENT)
            purpose = r.string(m.get("purpose"), where + ("purpose",))
            if purpose:
                self.key(purpose, where + ("purpose",), "uses")
            countries = tuple(
                r.string(c, where + ("country", i), required=True)
                for i, c in enumerate(r.strings(m.get("country"), where + ("country",)))
            )
            safeguard, document = self.transfer(m.get("transfer"), where + ("transfer",))
            out[name] = Recipient(
                name=name,
                kind=r.choice(m.get("kind"), where + ("kind",), RECIPIENT_KINDS) or "processor",
                purpose=purpose,
                countries=countries,
                transfer=safeguard,
                transfer_document=document,
                dpa=r.string(m.get("dpa"), where + ("dpa",)),
                vendor=r.string(m.get("vendor"), where + ("vendor",)),
                via=r.strings(m.get("via"), where + ("via",)),
                at=r.location(where),
            )
        return out

    def transfer(self, value: Any, where: tuple[object, ...]) -> tuple[str, str]:
        """``transfer: SCCs`` or ``{safeguard: scc, document: URL}`` -> (safeguard, document)."""
        r = self.r
        if isinstance(value, dict):
            m = r.mapping(value, where, _TRANSFER)
            text = r.string(m.get("safeguard"), where + ("safeguard",), required=True)
            document = r.string(m.get("document"), where + ("document",))
            at = where + ("safeguard",)
        else:
            text, document, at = r.string(value, where), "", where
        key = "_".join(text.lower().replace("-", " ").replace(".", " ").split())
        for safeguard, spellings in TRANSFER_SAFEGUARDS.items():
            if key in spellings:
                return safeguard, document
        if text and isinstance(value, dict):
            r.fail(at, f"{text!r} is not one of: {', '.join(TRANSFER_SAFEGUARDS)}")
        return text, document

    def stores(self, value: Any) -> dict[str, Store]:
        r = self.r
        out: dict[str, Store] = {}
        table = r.mapping(value, ("stores",), set(value) if isinstance(value, dict) else set())
        for name, spec in table.items():
            where = ("stores", name)
            self.name(name, where, "store name")
            m = r.mapping(spec, where, _STORE)
            kind = r.string(m.get("kind"), where + ("kind",)) or "database"
            if kind not in STORE_KINDS:
                r.fail(
                    where + ("kind",),
                    f"unknown store kind {kind!r}; use one of database, cache, file, cookie "
                    "(or sql, postgres, mysql, sqlite, mongodb, redis, memcached, s3)",
                )
            out[name] = Store(
                name=name,
                kind=kind,
                encrypted_at_rest=r.boolean(m.get("encrypted_at_rest"), where + ("encrypted_at_rest",)),
                via=r.strings(m.get("via"), where + ("via",)),
                at=r.location(where),
            )
        return out

    def allow(self, value: Any, where: tuple[object, ...], inv: Inventory) -> dict[str, bool | tuple[str, ...]]:
        r = self.r
        m = r.mapping(value, where, set(ACTION_KEYS))
        out: dict[str, bool | tuple[str, ...]] = {}
        for action, spec in m.items():
            at = where + (action,)
            if isinstance(spec, bool):
                out[action] = spec
                continue
            if spec is None:
                out[action] = False
                continue
            if not isinstance(spec, list):
                r.fail(at, f"expected true, false or a list of names, got {_kind(spec)} {spec!r}")
            names = r.strings(spec, at, single=False)
            for i, name in enumerate(names):
                if action == "store" and name not in inv.stores:
                    hint = self._close(name, inv.stores)
                    r.fail(at + (i,), f"store {name!r} is not declared under `stores:`{hint}")
                if action == "share" and name not in inv.recipients:
                    hint = self._close(name, inv.recipients)
                    r.fail(at + (i,), f"recipient {name!r} is not declared under `recipients:`{hint}")
            out[action] = names
        return out

    @staticmethod
    def _close(name: str, pool: dict[str, Any]) -> str:
        import difflib

        close = difflib.get_close_matches(name, list(pool), n=1, cutoff=0.6)
        return f" (did you mean {close[0]!r}?)" if close else "; declare it there first"

    def defaults(self, value: Any, inv: Inventory) -> Defaults:
        r = self.r
        m = r.mapping(value, ("defaults",), _DEFAULTS)
        unknown = r.string(m.get("unknown_data"), ("defaults", "unknown_data"))
        unknown = {"warn": "warning"}.get(unknown, unknown)
        if unknown and unknown not in UNKNOWN_DATA:
            r.fail(("defaults", "unknown_data"), f"{unknown!r} is not one of: error, warning, note")
        return Defaults(
            unknown_data=unknown,
            log_allowed_up_to=r.choice(
                m.get("log_allowed_up_to"), ("defaults", "log_allowed_up_to"), ("low", "medium")
            ),
            allow=self.allow(m.get("allow"), ("defaults", "allow"), inv),
        )

    def items(self, value: Any, inv: Inventory) -> list[Item]:
        r = self.r
        if value is None:
            return []
        if not isinstance(value, list):
            r.fail(("data",), f"expected a list of items (each starting with `- id:`), got {_kind(value)}")
        if len(value) > MAX_ITEMS:
            r.fail(("data",), f"more than {MAX_ITEMS} items; split the system into several inventories")
        items: list[Item] = []
        seen: dict[str, int] = {}
        for index, spec in enumerate(value):
            item = self.item(spec, ("data", index), inv)
            if item.id in seen:
                first = items[seen[item.id]].at.line
                r.fail(("data", index, "id"), f"duplicate id {item.id!r} (first at line {first}); ids must be unique")
            seen[item.id] = len(items)
            items.append(item)
        return items

    def item(self, spec: Any, where: tuple[object, ...], inv: Inventory) -> Item:
        r = self.r
        if not isinstance(spec, dict):
            r.fail(where, f"expected an item mapping (`- id: ...`), got {_kind(spec)}")
        m = r.mapping(spec, where, _ITEM)
        item_id = self.name(m.get("id"), where + ("id",), "id")
        raw_categories = r.strings(m.get("category"), where + ("category",))
        if not raw_categories:
            r.fail(
                where, f"item {item_id!r} needs a `category:` (a fideslang data category such as user.contact.email)"
            )
        single = isinstance(m.get("category"), str)
        categories = tuple(
            self.key(c, where + ("category",) if single else where + ("category", i), "categories")
            for i, c in enumerate(raw_categories)
        )
        sensitivity = r.choice(m.get("sensitivity"), where + ("sensitivity",), SENSITIVITIES)
        if not sensitivity:
            sensitivity = max((self.knowledge.sensitivity_of(c) for c in categories), key=SENSITIVITIES.index)
        subjects = tuple(
            self.key(s, where + ("subjects", i), "subjects")
            for i, s in enumerate(r.strings(m.get("subjects"), where + ("subjects",)))
        )
        purposes = tuple(
            self.key(p, where + ("purposes", i), "uses")
            for i, p in enumerate(r.strings(m.get("purposes"), where + ("purposes",)))
        )
        encryption = r.choice(m.get("encryption"), where + ("encryption",), ENCRYPTION)
        if not encryption:
            encryption = "required" if sensitivity in ("high", "special") else "none"
        protect = r.strings(m.get("protect_with"), where + ("protect_with",))
        for i, word in enumerate(protect):
            if word not in PROTECT_WITH:
                r.fail(where + ("protect_with", i), f"{word!r} is not one of: encrypt, hash, tokenize, mask")
        allow = dict(inv.defaults.allow)
        allow.update(self.allow(m.get("allow"), where + ("allow",), inv))
        return Item(
            id=item_id,
            label=r.string(m.get("label"), where + ("label",)) or self.knowledge.label_of(categories[0]),
            categories=categories,
            sensitivity=sensitivity,
            subjects=subjects,
            purposes=purposes,
            lawful_basis=r.choice(m.get("lawful_basis"), where + ("lawful_basis",), LAWFUL_BASES),
            special_category_basis=r.choice(
                m.get("special_category_basis"), where + ("special_category_basis",), SPECIAL_CATEGORY_BASES
            ),
            retention=self.retention(m.get("retention"), where + ("retention",)),
            owner=r.string(m.get("owner"), where + ("owner",)),
            match=self.match(m.get("match"), where + ("match",)),
            allow=allow,
            encryption=encryption,
            protect_with=protect,
            paths=r.strings(m.get("paths"), where + ("paths",)),
            status=r.choice(m.get("status"), where + ("status",), STATUSES) or "approved",
            description=r.string(m.get("description"), where + ("description",)),
            at=r.location(where),
        )

    def retention(self, value: Any, where: tuple[object, ...]) -> Retention | None:
        r = self.r
        if value is None:
            return None
        if isinstance(value, str):
            text = value.strip()
            if not text:
                r.fail(where, "must not be empty")
            if text.startswith("P") and not _ISO_DURATION.match(text):
                r.fail(where, f"{text!r} is not an ISO-8601 duration (examples: P30D, P2Y, P1Y6M)")
            return Retention(period=text) if _ISO_DURATION.match(text) else Retention(after=text)
        m = r.mapping(value, where, _RETENTION)
        period = r.string(m.get("period"), where + ("period",))
        if period and not _ISO_DURATION.match(period):
            r.fail(where + ("period",), f"{period!r} is not an ISO-8601 duration (examples: P30D, P2Y, P1Y6M)")
        retention = Retention(
            period=period,
            after=r.string(m.get("after"), where + ("after",)),
            until=r.string(m.get("until"), where + ("until",)),
        )
        if not (retention.period or retention.until):
            r.fail(where, "needs a `period` (ISO-8601 duration such as P2Y) or an `until`")
        return retention

    def match(self, value: Any, where: tuple[object, ...]) -> Match:
        r = self.r
        m = r.mapping(value, where, _MATCH)
        names = []
        for i, name in enumerate(r.strings(m.get("names"), where + ("names",))):
            norm = normalise_name(name)
            if not norm:
                r.fail(where + ("names", i), f"name {name!r} has no letters or digits")
            names.append(norm)
        patterns = []
        for i, text in enumerate(r.strings(m.get("patterns"), where + ("patterns",))):
            try:
                patterns.append(compile_pattern(text))
            except ValueError as exc:
                r.fail(where + ("patterns", i), f"pattern {text!r} rejected: {exc}")
        fields = r.strings(m.get("fields"), where + ("fields",))
        for i, qualified in enumerate(fields):
            if "." not in qualified or qualified.startswith(".") or qualified.endswith("."):
                r.fail(
                    where + ("fields", i),
                    f"field {qualified!r} must be qualified: module.Class.field "
                    "(for example shop.models.Customer.email)",
                )
        exclude = tuple(normalise_name(n) for n in r.strings(m.get("exclude"), where + ("exclude",)))
        return Match(names=tuple(names), patterns=tuple(patterns), fields=fields, exclude=exclude)

    def non_personal(self, value: Any) -> list[NonPersonal]:
        r = self.r
        if value is None:
            return []
        if not isinstance(value, list):
            r.fail(("non_personal",), f"expected a list of {{name, reason}} entries, got {_kind(value)}")
        out = []
        for i, spec in enumerate(value):
            where = ("non_personal", i)
            if isinstance(spec, str):
                r.fail(where, f"write `- {{name: {spec}, reason: ...}}`: every entry needs a reason")
            m = r.mapping(spec, where, _NON_PERSONAL)
            name = r.string(m.get("name"), where + ("name",))
            text = r.string(m.get("pattern"), where + ("pattern",))
            if not name and not text:
                r.fail(where, "needs a `name` (or a `pattern`)")
            reason = r.string(m.get("reason"), where + ("reason",), required=True)
            pattern = None
            if text:
                try:
                    pattern = compile_pattern(text)
                except ValueError as exc:
                    r.fail(where + ("pattern",), f"pattern {text!r} rejected: {exc}")
            out.append(NonPersonal(name=normalise_name(name) if name else "", reason=reason, pattern=pattern))
        return out
