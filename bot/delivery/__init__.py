"""Delivery: the outbox, subscribers, rendering, pacing and sending, digests."""
