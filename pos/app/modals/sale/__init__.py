"""Modals of a sale: payment, quantity, search, held sales, promotions, receipt."""
