"""Shared test setup: analysis bugs raise instead of being stepped over."""

import os

os.environ.setdefault("MINIMISE_STRICT", "1")

if "MINIMISE_TEST_CACHE_HOME" not in os.environ:
    # Result caches of test scans go to a throw-away folder, never to the user's ~/.cache, and the
    # folder goes when the session ends.
    import atexit
    import shutil
    import tempfile

    os.environ["MINIMISE_TEST_CACHE_HOME"] = os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="minimise-xdg-")
    atexit.register(shutil.rmtree, os.environ["MINIMISE_TEST_CACHE_HOME"], ignore_errors=True)
