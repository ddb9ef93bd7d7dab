"""The domain, one folder per area."""
