"""Designing reforms: variant grids, target solving, the SPF aggregate calculator."""
