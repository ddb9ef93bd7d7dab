"""Printing: receipts and print jobs."""
