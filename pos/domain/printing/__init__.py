"""Receipts and the print queue."""
