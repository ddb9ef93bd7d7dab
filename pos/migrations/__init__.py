"""Alembic migrations of the register's database.

``HEAD_REVISION`` must name the newest revision (a test checks it), so start-up
can skip Alembic when the database is current.
"""

HEAD_REVISION = "0021_hqpoints"
