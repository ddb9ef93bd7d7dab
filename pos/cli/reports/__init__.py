"""The store's reports and the learned add-on pairings."""
