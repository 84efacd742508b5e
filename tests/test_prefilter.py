"""The text prefilter: which files it lets through to the parser, and which it spares."""

from __future__ import annotations

import pytest

from minimise.knowledge.load import load_knowledge
from minimise.prefilter import Prefilter


@pytest.fixture(scope="module")
def prefilter() -> Prefilter:
    return Prefilter(load_knowledge())


@pytest.mark.parametrize(
    "source",
    [
        b"async def peer(request):\n    return request.remote\n",  # aiohttp's client address
        b"def where(request):\n    return request.client.host\n",  # Starlette's
        b"ua = req.user_agent\n",
        b"from getpass import getuser\n",
        b"email = form['email']\n",
        b"def show(user):\n    return user.name\n",  # a context-only name with a person word
    ],
)
def test_files_that_can_hold_a_data_point_are_parsed(prefilter: Prefilter, source: bytes) -> None:
    assert prefilter.wants(source)


@pytest.mark.parametrize(
    "source",
    [
        b'def publish_remote_channel(rows):\n    """Publish the remote rows."""\n    return rows\n',
        b"base = url.host\n",
        b"def label(product):\n    return product.name\n",
        b"split_remote_plan = None  # remote\n",
    ],
)
def test_files_with_only_look_alike_words_are_skipped(prefilter: Prefilter, source: bytes) -> None:
    assert not prefilter.wants(source)
