"""Reading user-written YAML safely: no aliases, no tags, no duplicate keys, bounded size."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from minimise.inputs import InputError, check_structure, read_input

MAX_YAML_BYTES = 4 * 1024 * 1024


class YamlError(Exception):
    """A YAML file that cannot be used, with the place to fix it."""

    def __init__(self, path: str, line: int, message: str) -> None:
        # Line 0 means the whole file (it cannot be read at all): no line to point at.
        super().__init__(f"{path}:{line}: {message}" if line > 0 else f"{path}: {message}")
        self.path = path
        self.line = line
        self.message = message


@functools.lru_cache(maxsize=1)
def strict_loader() -> type:
    """SafeLoader that refuses anchors/aliases (expansion bombs) and duplicate keys.

    Built on first use: a scan answered from its caches never reads YAML, so never imports yaml.
    """
    import yaml

    class _StrictLoader(yaml.SafeLoader):
        """SafeLoader that refuses anchors/aliases (expansion bombs) and duplicate keys."""

        def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.constructor.ConstructorError(
                    None, None, "aliases (*name) are not allowed here", event.start_mark
                )
            event = self.peek_event()
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"anchors (&{anchor}) are not allowed here", event.start_mark
                )
            return super().compose_node(parent, index)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    hash(key)
                except TypeError:
                    continue
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key {key!r} (first at line {seen[key] + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line
            return super().construct_mapping(node, deep=deep)

    _StrictLoader.add_constructor(
        "tag:yaml.org,2002:map",
        _StrictLoader.construct_mapping,  # type: ignore[arg-type]
    )

    return _StrictLoader


def parse_yaml(text: str, path: str) -> Any:
    """Parse YAML text or raise YamlError naming the line."""
    if len(text.encode("utf-8", "replace")) > MAX_YAML_BYTES:
        raise YamlError(path, 1, f"file is larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB")
    try:
        check_structure(text, path, "file")
    except InputError as exc:
        raise YamlError(path, int(exc.where.rsplit(":", 1)[-1]), exc.reason) from None
    import yaml

    try:
        return yaml.load(text, Loader=strict_loader())  # noqa: S506 - strict safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(path, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(path, 1, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(path, 1, "invalid YAML: nested too deeply") from None
    except ValueError as exc:  # a value the constructors refuse (an integer too long to convert)
        raise YamlError(path, 1, f"invalid YAML: {type(exc).__name__}") from None


def read_yaml(path: Path, display: str | None = None) -> Any:
    """Read and parse a YAML file or raise YamlError."""
    shown = display or str(path)
    try:
        raw = read_input(path, "", MAX_YAML_BYTES)
    except InputError as exc:
        raise YamlError(shown, 0 if exc.reason.startswith("cannot read") else 1, exc.reason) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlError(shown, 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_yaml(text, shown)


def read_shipped_yaml(path: Path) -> tuple[Any, str]:
    """(data, text) of a YAML file shipped with minimise, read with libyaml when it is there.

    Shipped files are checked by the tests for what the strict loader refuses (aliases, duplicate
    keys), so they are read at C speed; a file that does not parse is read again by the strict
    loader, whose error names the line.
    """
    import yaml

    text = path.read_text(encoding="utf-8-sig")
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), text  # noqa: S506 - safe loader
    except yaml.YAMLError:
        return read_yaml(path), text


def line_of(text: str, key_path: tuple[object, ...]) -> int:
    """Best-effort 1-based line of ``key_path`` (mapping keys and list indexes) in ``text``."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return 1
    line = 1
    for step in key_path:
        if node is None:
            break
        if isinstance(node, yaml.MappingNode):
            match = None
            for key_node, value_node in node.value:
                if key_node.value == step:
                    match = (key_node, value_node)
                    break
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                break
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line
