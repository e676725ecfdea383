"""Feeds: the registry of what to poll, OPML import, poll state and feed parsing."""
