"""Feeds: schedule, fetch, guard, parse, identity, poll, leases, full text, health."""
