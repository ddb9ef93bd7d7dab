"""Add-on suggestions: pairings, learned rules and their report."""
