"""Chain sync: the outbox, head office, pull and push."""
