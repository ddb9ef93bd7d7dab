"""``pos`` commands for the service after the sale: complaints and adverse reactions."""
