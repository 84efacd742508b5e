"""The analyser: per-module facts and summaries, and the project-wide link that joins them."""
