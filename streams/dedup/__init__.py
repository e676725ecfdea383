"""Duplicate detection: exact (same normalised text) and near (MinHash + LSH bands).

Pure functions only; the Faust agents in `marsad.streams.agents` keep the state.
"""
