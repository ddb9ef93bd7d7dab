"""Benchmarks at chain scale: ``pos bench generate`` builds a database, ``pos bench run`` times it.

The generator writes straight through SQLAlchemy Core in large batches; the runner
times the register's own service calls (and the checkout screen through Textual's
Pilot) against plain ``sqlite3`` where a raw equivalent exists.
"""
