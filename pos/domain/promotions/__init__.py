"""Promotions: pricing a cart by its rules."""
