"""After the sale: complaints, ratings, adverse reactions, the service report."""
