"""Modals of the service after the sale: complaints, adverse reactions."""
