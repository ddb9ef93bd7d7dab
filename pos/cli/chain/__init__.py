"""Commands of a chain: sync with head office, and head office itself."""
