"""Shared test setup: analysis bugs raise instead of being stepped over."""

import os

os.environ.setdefault("MINIMISE_STRICT", "1")
