"""The `marsad` command: one module per group of sub-commands, assembled in `main`.

The roof of the project: these modules import the pipeline (producers,
streams, consumers) and the ground layer (runtime, schemas); nothing below
imports them.
"""
