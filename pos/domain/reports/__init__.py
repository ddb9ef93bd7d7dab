"""Store reports: daily and ranges, and their formats."""
