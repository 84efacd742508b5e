"""Which paths are test or example code: one definition for discovery, the reports and the erasure map."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import PurePosixPath

# Folders whose files are test code, and file names that are test code wherever they are.
TEST_FOLDERS = frozenset({"tests", "test", "testing", "e2e", "fixtures", "factories", "seeds", "fakes", "mocks"})
# Folders of code that shows or measures the product and never serves its users: examples and demos fed
# made-up records, evaluation and benchmark harnesses fed public datasets. Left out like tests.
EXAMPLE_FOLDERS = frozenset({"examples", "example", "demo", "demos", "samples", "evals", "benchmarks"})
# Folders of one kind of test (`playwright_tests/`, `integration_tests/`, `load_test/`).
TEST_FOLDER_ENDINGS = ("_tests", "_test", "-tests", "-test")
TEST_FILES = (
    "test_*.py",
    "*_test.py",
    "test.py",
    "tests.py",
    "conftest.py",
    # Load tests: Locust's users are simulated, their names and addresses generated.
    "locustfile.py",
    "locustfile_*.py",
    "*_locustfile.py",
    # A package's test support beside its code (`db/testing.py` with its base test case), as a `testing/` folder is.
    "testing.py",
    "testcases.py",
    "fixtures.py",
    "factories.py",
    # Data factories beside the models they fill (`factory_users.py`, `user_factories.py`); not `app_factory.py`.
    "factory_*.py",
    "*_factories.py",
    "*_test_data.py",  # a generator of test data kept beside the code (`lib/create_test_data.py`)
    # Seeds: scripts that fill a development database with made-up records.
    "seed.py",
    "seeds.py",
    "seed_*.py",
    "*_seed.py",
    "*_seeds.py",
    "*_fake_data.py",
    "fake_data.py",
    "loaddata.py",
)


def is_test_path(path: str) -> bool:
    """Whether a relative path ('/' or '\\' separated) is test or example code rather than application code."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if any(
        part in TEST_FOLDERS or part in EXAMPLE_FOLDERS or part.endswith(TEST_FOLDER_ENDINGS) for part in parts[:-1]
    ):
        return True
    return bool(parts) and any(fnmatch(parts[-1], pattern) for pattern in TEST_FILES)
