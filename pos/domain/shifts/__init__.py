"""Cash shifts: float, cash movements, X and Z reports."""
