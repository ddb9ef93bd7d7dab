"""Reports: the daily report and the store reports."""
