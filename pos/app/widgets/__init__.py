"""Reusable widgets of the register; they post messages up to their screen."""
