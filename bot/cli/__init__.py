"""The `eventwatch` command line: one module per command."""
