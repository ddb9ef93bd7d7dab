"""Selling: the cart, scans and codes, payment tenders, completing a sale."""
