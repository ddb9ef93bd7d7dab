"""The status lines of the checkout: printer, saving, cash shift, chain sync."""
