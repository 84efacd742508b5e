"""One module per CLI subcommand, loaded lazily by minimise.cli."""
