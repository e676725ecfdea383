"""The ground every service runs on: settings, logging, metrics, health and the Kafka plumbing.

It imports nothing of the pipeline (producers, streams, consumers) nor of the
roof (deploy); only schemas/, the records on the wire, sit below it.
"""
