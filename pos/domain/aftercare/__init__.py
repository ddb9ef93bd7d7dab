"""After the sale: complaints, satisfaction ratings, adverse drug reactions, the service report."""
