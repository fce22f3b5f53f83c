"""Risk and exposure of end items: single points of failure, concentration, foreign exposure,
time to survive and recover, criticality and common-mode cyber exposure (docs/risk.md)."""
