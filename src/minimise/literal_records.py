"""Which record (a bracket, else the statement) each string literal of a file sits in, and which are made up."""

from __future__ import annotations

import tokenize


class LiteralRecords:
    """The records of a file as its tokens go by: brackets nest them, a statement holds the top ones."""

    def __init__(self) -> None:
        self._open: list[int] = []
        self._parent: dict[int, int] = {}
        self._fiction: set[int] = set()
        self._next = 1
        self._statement = self._new(0)

    def _new(self, parent: int) -> int:
        record, self._next = self._next, self._next + 1
        self._parent[record] = parent
        return record

    def follow(self, token: tokenize.TokenInfo) -> None:
        if token.type == tokenize.NEWLINE:
            self._open.clear()
            self._statement = self._new(0)
        elif token.type == tokenize.OP and token.string in "([{":
            self._open.append(self._new(self.current()))
        elif token.type == tokenize.OP and token.string in ")]}" and self._open:
            self._open.pop()

    def current(self) -> int:
        return self._open[-1] if self._open else self._statement

    def mark_fiction(self, record: int) -> None:
        self._fiction.add(record)

    def fictional(self, record: int, disguised: set[int]) -> bool:
        """In a record with a contact reserved for fiction, or in a list beside a ``disguised`` one.

        A record is disguised when it holds a real-looking value next to its fiction number: the list's
        author makes up realistic people, so the records beside it are made up too.
        """
        if record in self._fiction:
            return True
        parent = self._parent.get(record, 0)
        # Statements are not one list: a made-up contact in one says nothing of the next.
        return parent != 0 and any(self._parent.get(other) == parent for other in disguised)

    def made_up(self, held: set[int]) -> set[int]:
        """The records among ``held`` (those holding a real-looking value) that are made up."""
        disguised = held & self._fiction
        return {record for record in held if self.fictional(record, disguised)}
