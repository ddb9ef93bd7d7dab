"""Pharmacy: routes, guidance."""
