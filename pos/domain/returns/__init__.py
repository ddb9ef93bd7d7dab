"""Returns and refunds, and quarantined goods."""
