"""Reusable widgets: they post messages up to their screen and never call services."""
