"""The Textual front end driven by keys as a cashier would (Pilot tests, snapshots)."""
