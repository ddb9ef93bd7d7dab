"""The store: database, migrations, backups, the key, demo data, crashes."""
