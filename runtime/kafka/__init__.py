"""Kafka plumbing shared by every service: how to connect, publish, read and administer topics."""
