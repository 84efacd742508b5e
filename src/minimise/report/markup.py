"""Rule texts (a little Markdown: `code`, **bold**, paragraphs, lists, fenced blocks) as safe HTML."""

from __future__ import annotations

import html
import re

_INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\((https://[^)\s]+)\)")
_CODE = re.compile(r"`([^`]+)`")


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def inline(text: str) -> str:
    """One run of text: escaped, with `code`, **bold** and https links turned into elements."""
    out, last = [], 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[last : match.start()]))
        code, bold, label, url = match.groups()
        if code is not None:
            out.append(f"<code>{escape(code)}</code>")
        elif bold is not None:
            out.append(f"<strong>{escape(bold)}</strong>")
        else:
            out.append(f'<a href="{escape(url)}">{escape(label)}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def code_spans(text: str) -> str:
    """Text that came from analysed code (finding messages): escaped, with only `code` spans kept."""
    out, last = [], 0
    for match in _CODE.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<code>{escape(match.group(1))}</code>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def block(text: str) -> str:
    """Paragraphs and `- ` lists of a rule text; line breaks inside a paragraph are spaces."""
    parts: list[str] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        paragraph: list[str] = []
        items: list[str] = []
        for line in (line.strip() for line in chunk.splitlines()):
            if line.startswith("- "):
                if paragraph:
                    parts.append(f"<p>{inline(' '.join(paragraph))}</p>")
                    paragraph = []
                items.append(line[2:])
            elif line:
                if items:
                    parts.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
                    items = []
                paragraph.append(line)
        if paragraph:
            parts.append(f"<p>{inline(' '.join(paragraph))}</p>")
        if items:
            parts.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
    return "".join(parts)


def code_block(text: str) -> str:
    return f'<pre class="snippet"><code>{escape(text.strip(chr(10)).rstrip())}</code></pre>'
