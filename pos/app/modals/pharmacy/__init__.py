"""Pharmacy modals: guidance, prescription review, restricted-product buyer."""
