"""Suggestions: pairings, mining and their report."""
