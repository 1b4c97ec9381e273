"""Analyses beside the measures (layer 4): they read the measures engine and the canonical
model, never a later layer. ``explain``: the records behind a number and what moved it."""
