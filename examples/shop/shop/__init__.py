"""A small web shop used to demonstrate minimise."""
