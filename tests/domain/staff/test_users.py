"""``pos.domain.staff.users`` and ``pos user …``: PIN hashing, credentials, the command line."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pos.cli.people import user as user_command
from pos.domain.sales.codes import InputError
from pos.domain.staff import users
from pos.models import User
from pos.store import backups
from pos.store.db import open_database
from tests.conftest import NOW
from tests.helpers import empty_config


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real user config or POS_* variable reaches the command."""
    for name in list(os.environ):
        if name.startswith("POS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))
    monkeypatch.setenv("POS_REGISTER__KEY_FILE", str(tmp_path / "store.key"))


# -- PINs ----------------------------------------------------------------------


def test_hash_has_the_documented_format_and_no_pin() -> None:
    stored = users.hash_pin("482916")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert "482916" not in stored


def test_hash_differs_per_call_and_both_verify() -> None:
    first, second = users.hash_pin("1234"), users.hash_pin("1234")
    assert first != second
    assert users.verify_pin(first, "1234") and users.verify_pin(second, "1234")


def test_verify_rejects_a_wrong_pin() -> None:
    stored = users.hash_pin("1234")
    assert not users.verify_pin(stored, "1235")
    assert not users.verify_pin(stored, "")


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "1234",
        "bcrypt$16384$8$1$00$00",
        "scrypt$x$8$1$00$00",
        "scrypt$16384$8$1$zz$00",
        "scrypt$16384$8$1$$" + "00" * 32,
        "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 8,
        "scrypt$4294967296$8$1$" + "00" * 16 + "$" + "00" * 32,
    ],
)
def test_verify_a_malformed_hash_is_false(stored: str) -> None:
    assert users.verify_pin(stored, "1234") is False


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", " 1234", "１２３４", ""])
def test_pin_rules(pin: str) -> None:
    with pytest.raises(InputError, match="4 to 8 digits"):
        users.check_pin(pin)


@pytest.mark.parametrize("pin", ["1234", "00000000", "98765"])
def test_good_pins(pin: str) -> None:
    assert users.check_pin(pin) == pin


# -- users and credentials -----------------------------------------------------


@pytest.fixture
def staff(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A pharmacist, a cashier and a disabled manager."""
    with sessions.begin() as session:
        users.add_user(session, "yaoshi01", "王药师", "pharmacist", "1234", NOW)
        users.add_user(session, "c1", "张收银", "cashier", "2468", NOW)
        users.add_user(session, "m1", "李店长", "manager", "9999", NOW)
        users.disable_user(session, "m1")
    return sessions


def test_add_user_stores_a_hash(staff: sessionmaker[Session]) -> None:
    with staff() as session:
        user = session.get(User, "yaoshi01")
        assert user is not None
        assert (user.name, user.role, user.active, user.created_at) == (
            "王药师",
            "pharmacist",
            True,
            NOW,
        )
        assert user.pin_hash.startswith("scrypt$") and "1234" not in user.pin_hash
        assert users.verify_pin(user.pin_hash, "1234")


@pytest.mark.parametrize(
    ("user_id", "name", "role", "pin", "message"),
    [
        ("yaoshi01", "另一个", "cashier", "1111", "already a user yaoshi01"),
        ("bad id", "某人", "cashier", "1111", "user id"),
        ("", "某人", "cashier", "1111", "user id"),
        ("x" * 33, "某人", "cashier", "1111", "user id"),
        ("u2", "  ", "cashier", "1111", "name"),
        ("u2", "某人", "boss", "1111", "role must be one of"),
        ("u2", "某人", "cashier", "12", "4 to 8 digits"),
    ],
)
def test_add_user_refuses_bad_input(
    staff: sessionmaker[Session], user_id: str, name: str, role: str, pin: str, message: str
) -> None:
    with staff() as session, pytest.raises(InputError, match=message):
        users.add_user(session, user_id, name, role, pin, NOW)


def test_check_credentials_returns_the_user(staff: sessionmaker[Session]) -> None:
    with staff() as session:
        user = users.check_credentials(session, "yaoshi01", "1234", ("pharmacist",))
        assert user.name == "王药师"
        assert users.check_credentials(session, "c1", "2468").role == "cashier"


def test_unknown_id_and_wrong_pin_get_the_same_message(staff: sessionmaker[Session]) -> None:
    with staff() as session:
        with pytest.raises(InputError) as unknown:
            users.check_credentials(session, "nobody", "1234", ("pharmacist",))
        with pytest.raises(InputError) as wrong:
            users.check_credentials(session, "yaoshi01", "4321", ("pharmacist",))
        with pytest.raises(InputError) as empty:
            users.check_credentials(session, " ", "1234")
    assert str(unknown.value) == str(wrong.value) == str(empty.value) == "Wrong user id or PIN"


def test_disabled_user_is_refused(staff: sessionmaker[Session]) -> None:
    with staff() as session, pytest.raises(InputError, match="m1 is disabled"):
        users.check_credentials(session, "m1", "9999", ("manager",))


def test_wrong_role_is_refused(staff: sessionmaker[Session]) -> None:
    with staff() as session, pytest.raises(InputError, match="needs a pharmacist"):
        users.check_credentials(session, "c1", "2468", ("pharmacist",))


def test_disable_unknown_user(staff: sessionmaker[Session]) -> None:
    with staff() as session, pytest.raises(InputError, match="No user ghost"):
        users.disable_user(session, "ghost")


def test_demo_store_has_a_pharmacist_and_a_manager(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as session:
        pharmacist = users.check_credentials(session, "yaoshi01", "1234", ("pharmacist",))
        manager = users.check_credentials(session, "dianzhang", "9999", ("manager",))
        assert (pharmacist.name, manager.name) == ("王药师", "李店长")
        assert [user.id for user in users.list_users(session)] == [
            "dianzhang",
            "shouyin01",
            "yaoshi01",
        ]


# -- the command line ----------------------------------------------------------


@pytest.fixture
def store(db_path: Path) -> Path:
    """An empty, migrated store database."""
    engine, _factory = open_database(db_path)
    engine.dispose()
    return db_path


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def stored_users(db_path: Path) -> list[User]:
    engine, factory = open_database(db_path)
    with factory() as session:
        found = list(session.scalars(select(User).order_by(User.id)))
    engine.dispose()
    return found


def test_cli_add_reads_the_pin_from_stdin(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, "482916\n")
    argv = ["user", "add", "yaoshi01", "--name", "王药师", "--role", "pharmacist"]

    assert main([*argv, "--db", str(store)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "User yaoshi01 added (pharmacist)" in out and "482916" not in out
    [user] = stored_users(store)
    assert users.verify_pin(user.pin_hash, "482916")


def test_cli_add_asks_twice_on_a_terminal(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["1357", "1357", "1357", "7531"])
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    argv = ["user", "add", "c1", "--name", "张收银", "--role", "cashier", "--db", str(store)]

    assert main(argv) == EXIT_OK
    assert main([*argv[:2], "c2", *argv[3:]]) == EXIT_FAILED
    assert "The two PINs differ" in capsys.readouterr().err
    assert [user.id for user in stored_users(store)] == ["c1"]


def test_cli_add_duplicate_or_bad_pin_exits_1(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["user", "add", "c1", "--name", "张收银", "--role", "cashier", "--db", str(store)]
    stdin(monkeypatch, "2468\n")
    assert main(argv) == EXIT_OK
    stdin(monkeypatch, "1111\n")
    assert main(argv) == EXIT_FAILED
    assert "There is already a user c1" in capsys.readouterr().err
    stdin(monkeypatch, "12\n")
    assert main([*argv[:2], "c2", *argv[3:]]) == EXIT_FAILED
    assert "4 to 8 digits" in capsys.readouterr().err
    assert [user.id for user in stored_users(store)] == ["c1"]


def test_cli_add_unknown_role_is_a_usage_error(store: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["user", "add", "x1", "--name", "某", "--role", "boss", "--db", str(store)])
    assert exit_info.value.code == EXIT_USAGE


def test_cli_list_and_disable(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for user_id, role in (("yaoshi01", "pharmacist"), ("c1", "cashier")):
        stdin(monkeypatch, "2468\n")
        main(["user", "add", user_id, "--name", "某人", "--role", role, "--db", str(store)])
    capsys.readouterr()

    assert main(["user", "disable", "c1", "--db", str(store)]) == EXIT_OK
    assert "User c1 disabled" in capsys.readouterr().out
    assert main(["user", "list", "--db", str(store)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.splitlines() == ["c1\t某人\tcashier\tdisabled", "yaoshi01\t某人\tpharmacist\tactive"]
    assert "scrypt" not in out
    assert main(["user", "disable", "ghost", "--db", str(store)]) == EXIT_FAILED
    assert "No user ghost" in capsys.readouterr().err


def test_cli_without_a_database_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", "list", "--db", str(tmp_path / "none.db")]) == EXIT_FAILED
    assert "No database at" in capsys.readouterr().err


def test_cli_roles_match_the_service() -> None:
    assert user_command.ROLES == users.ROLES


# -- the store key, staff PINs, file modes ------------------------------------


def test_a_keyed_hash_does_not_verify_without_its_key() -> None:
    key, other = os.urandom(32), os.urandom(32)
    stored = users.hash_pin("482916", key)
    assert stored.startswith("scrypt-k1$") and "482916" not in stored
    assert users.verify_pin(stored, "482916", key)
    assert not users.verify_pin(stored, "482916")  # a copied database, no key file
    assert not users.verify_pin(stored, "482916", other)
    assert not users.verify_pin(stored, "482917", key)
    assert users.verify_pin(users.hash_pin("482916"), "482916", key)  # unkeyed still verify


def test_an_unkeyed_hash_is_keyed_at_the_next_correct_pin(
    staff: sessionmaker[Session],
) -> None:
    key = os.urandom(32)
    users.bind_key(staff, key)
    with staff.begin() as session:
        with pytest.raises(InputError):
            users.check_credentials(session, "yaoshi01", "4321")
        assert session.get_one(User, "yaoshi01").pin_hash.startswith("scrypt$")
        users.check_credentials(session, "yaoshi01", "1234", ("pharmacist",))
    with staff() as session:
        stored = session.get_one(User, "yaoshi01").pin_hash
        assert stored.startswith("scrypt-k1$")
        assert users.verify_pin(stored, "1234", key) and not users.verify_pin(stored, "1234")
        users.add_user(session, "c2", "新收银", "cashier", "1357", NOW)
        assert session.get_one(User, "c2").pin_hash.startswith("scrypt-k1$")


def test_staff_pins_can_be_required_to_have_six_digits(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for role in ("manager", "pharmacist"):
            with pytest.raises(InputError, match=f"A {role}'s PIN is at least 6 digits"):
                users.add_user(session, "s1", "王", role, "1234", NOW, staff_digits=6)
        users.add_user(session, "c1", "张", "cashier", "1234", NOW, staff_digits=6)
        users.add_user(session, "m1", "李", "manager", "123456", NOW, staff_digits=6)
        users.add_user(session, "m2", "赵", "manager", "1234", NOW)  # the default allows 4


def test_cli_add_enforces_staff_pin_digits(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POS_REGISTER__STAFF_PIN_DIGITS", "6")
    stdin(monkeypatch, "4829\n")
    argv = ["user", "add", "dz", "--name", "李店长", "--role", "manager", "--db", str(store)]
    assert main(argv) == EXIT_FAILED
    assert "A manager's PIN is at least 6 digits" in capsys.readouterr().err
    assert stored_users(store) == []
    stdin(monkeypatch, "482916\n")
    assert main(argv) == EXIT_OK


def test_init_makes_the_key_and_the_database_files_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o022)  # a usual umask would leave them readable by everyone
    try:
        db = tmp_path / "store" / "pos.db"
        key = tmp_path / "keys" / "store.key"
        monkeypatch.setenv("POS_REGISTER__KEY_FILE", str(key))
        assert main(["init", "--db", str(db)]) == EXIT_OK
        engine, factory = open_database(db)
        with factory.begin() as session:  # a write: the -wal and -shm files exist now
            users.add_user(session, "c1", "张", "cashier", "1234", NOW)
            created = [db, db.with_name("pos.db-wal"), db.with_name("pos.db-shm"), key]
            assert {path.name: oct(path.stat().st_mode & 0o777) for path in created} == {
                path.name: "0o600" for path in created
            }
        engine.dispose()
        backup = tmp_path / "backup.db"
        backups.copy_verified(db, backup)
        assert oct(backup.stat().st_mode & 0o777) == "0o600"
    finally:
        os.umask(old)


def test_a_database_opened_with_a_loose_mode_is_made_0600(tmp_path: Path) -> None:
    db = tmp_path / "pos.db"
    db.touch(mode=0o644)
    os.chmod(db, 0o644)
    engine, _factory = open_database(db)
    engine.dispose()
    assert oct(db.stat().st_mode & 0o777) == "0o600"


def test_cli_pin_change_enforces_staff_pin_digits(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, "4829\n")
    add = ["user", "add", "dz", "--name", "李店长", "--role", "manager", "--db", str(store)]
    assert main(add) == EXIT_OK
    monkeypatch.setenv("POS_REGISTER__STAFF_PIN_DIGITS", "6")
    stdin(monkeypatch, "1357\n")
    assert main(["user", "pin", "dz", "--db", str(store)]) == EXIT_FAILED
    assert "A manager's PIN is at least 6 digits" in capsys.readouterr().err
    [user] = stored_users(store)
    assert users.verify_pin(user.pin_hash, "4829")
    stdin(monkeypatch, "135790\n")
    assert main(["user", "pin", "dz", "--db", str(store)]) == EXIT_OK
    assert "User dz has a new PIN" in capsys.readouterr().out
    [user] = stored_users(store)
    assert users.verify_pin(user.pin_hash, "135790") and not users.verify_pin(user.pin_hash, "4829")
    stdin(monkeypatch, "135790\n")
    assert main(["user", "pin", "nobody", "--db", str(store)]) == EXIT_FAILED
