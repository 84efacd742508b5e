"""minimise: find personal data collected, stored, logged and shared in Python code."""

__version__ = "0.1.0"
