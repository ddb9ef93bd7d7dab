"""Defaults the README promises."""

from __future__ import annotations

from pos.config import default_database_path


def test_the_database_file_is_pos_db_in_the_user_data_directory() -> None:
    path = default_database_path()
    assert path.name == "pos.db"
    assert path.parent.name == "pharmacy-pos"
