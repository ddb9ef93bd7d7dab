"""Pharmacy rules: safety warnings, medication guidance, restricted sales."""
