"""The single-household explainer."""
