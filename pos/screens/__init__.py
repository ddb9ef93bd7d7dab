"""Textual screens and modals: they call the register service, never the database."""
