"""Backtests: rules (installed or not yet) replayed over the recent-entries archive."""
