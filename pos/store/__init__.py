"""The store database: opening and upgrading it, backups, the demo store, its key."""
