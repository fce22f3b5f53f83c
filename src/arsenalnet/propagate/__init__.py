"""Disruption propagation: a day-by-day firm-level simulation in the ARIO family."""
