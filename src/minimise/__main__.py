"""`python -m minimise` runs the command-line interface."""

from minimise.cli import main

main()
