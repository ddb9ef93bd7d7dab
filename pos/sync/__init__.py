"""Chain sync: registers push their outbox to head office's PostgreSQL and pull its changes.

``central`` is head office's side, ``members`` and ``catalogue`` move rows
between the two databases, ``runner`` does one sync, ``background`` repeats it
in the running register. See docs/chain.md.
"""
