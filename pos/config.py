"""Configuration: a TOML file plus ``POS_*`` environment variables (pydantic-settings).

The file is ``--config PATH``, else ``$POS_CONFIG``, else ``pos.toml`` in the
user config directory (it need not exist). Environment variables win over the
file: ``POS_STORE__NAME``, ``POS_REGISTER__DATABASE``, ``POS_PRINTER__URI`` …
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import warnings
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from pos.enums import CashRounding

APP_NAME = "pharmacy-pos"
ENV_PREFIX = "POS_"


def default_config_path() -> Path:
    """Where the register looks for its configuration file by default."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "pos.toml"


def default_database_path() -> Path:
    """Where the register keeps its database by default."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "pos.db"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    """Who the store is: printed on receipts and used in sale numbers."""

    name: str = "康宁大药房（人民路店）"
    address: str = "杭州市上城区人民路 88 号"
    phone: str = "0571-8888 6666"
    tax_id: str = "91330102MA2XXXXX0Q"
    code: str = Field(default="001", pattern=r"^[A-Za-z0-9]{1,8}$")
    timezone: str = "Asia/Shanghai"
    currency: Literal["CNY"] = "CNY"
    near_expiry_days: int = Field(default=90, ge=0, le=3650)
    """Stock expiring within this many days is pointed out to the customer (PHARMACY.md)."""
    cash_rounding: CashRounding = CashRounding.NONE
    """``jiao``: the cash part of a sale or refund is rounded to 0.1 yuan, half up (抹零)."""
    complaint_response_hours: int = Field(default=24, ge=1, le=720)
    """A complaint with no first response after this many hours is overdue (shown to the
    manager at login)."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class SyncSettings(_Section):
    """Chain sync with head office's PostgreSQL (docs/chain.md); off while ``hq_url`` is empty."""

    hq_url: str = ""
    """``postgresql://user:password@host:5432/pos_hq`` (``POS_SYNC__HQ_URL``)."""
    interval_seconds: int = Field(default=60, ge=5, le=86400)
    """How often the running register syncs (and after every sale)."""
    page_size: int = Field(default=5000, ge=10, le=20000)
    """Changes pulled from head office per page (each page is one short local transaction)."""
    statement_timeout_seconds: int = Field(default=30, ge=1, le=3600)
    """Head office cancels any one statement of a register's session after this long."""
    lock_timeout_seconds: int = Field(default=10, ge=1, le=3600)
    """Head office gives up waiting for a row lock after this long."""
    idle_in_transaction_seconds: int = Field(default=60, ge=1, le=3600)
    """Head office ends a register's session left idle inside a transaction this long."""
    stall_seconds: int = Field(default=30, ge=1, le=3600)
    """A head-office round trip (connect, one page, one batch) longer than this is cut and
    the register counts itself offline."""
    outbox_retention_days: int = Field(default=30, ge=0, le=3650)
    """Outbox items head office confirmed are purged by ``pos sync`` after this many days."""
    silent_warning_minutes: int = Field(default=30, ge=1, le=100000)
    """``pos hq registers`` warns about a register silent for longer than this."""
    offline_redeem_limit: int = Field(default=1000, ge=0, le=10_000_000)
    """Points a member may redeem per day at this register while head office cannot confirm
    a redemption (0: none offline); online, head office confirms each redemption."""
    redeem_timeout_seconds: int = Field(default=3, ge=2, le=30)
    """How long payment waits for head office to confirm a redemption before the offline
    limit applies (and attaching a member waits for their health notes from head office)."""
    redeem_hold_hours: int = Field(default=24, ge=1, le=720)
    """Head office holds the points of a redemption it confirmed until the redemption
    arrives, or this long at most."""

    @field_validator("hq_url")
    @classmethod
    def _postgresql(cls, value: str) -> str:
        if value and not value.startswith(
            ("postgresql://", "postgres://", "postgresql+psycopg://")
        ):
            raise ValueError("hq_url must be a postgresql:// URL")
        return value


class RegisterSettings(_Section):
    """This register: its id, language and database."""

    id: str = Field(default="01", pattern=r"^[A-Za-z0-9]{1,4}$")
    locale: str | None = None
    database: Path | None = None
    require_login: bool = True
    """Ask for a user id and PIN when the register starts and after a lock."""
    auto_lock_minutes: int = Field(default=10, ge=0, le=480)
    """Lock the register after this many idle minutes (0: never)."""
    cashier_discount_percent: int = Field(default=10, ge=0, le=100)
    """The largest discount (percent off a line) given without a manager's approval."""
    require_shift: bool = False
    """Refuse payment until a cash shift is open (Ctrl+B); off, the register only warns."""
    approve_line_removal: bool = False
    """A manager approves removing a cart line or lowering its quantity (always audited)."""
    log_dir: Path | None = None
    """Where crash reports are written (default: the user log directory)."""
    key_file: Path | None = None
    """The store's secret key (PIN hashes, audit chain): outside the database, mode 0600."""
    staff_pin_digits: int = Field(default=4, ge=4, le=8)
    """The shortest PIN a pharmacist or manager may have (6 for stronger approvals)."""

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().replace("-", "_").startswith(("zh", "en")):
            raise ValueError(f"unsupported locale {value!r} (use zh_CN or en)")
        return value


class PrinterSettings(_Section):
    """The receipt printer (see DESIGN.md, Printers)."""

    uri: str = "none"
    """``tcp://HOST:PORT``, ``usb://VID:PID``, ``serial:///dev/ttyUSB0?baudrate=9600``,
    ``file:///path`` or ``none`` (preview only)."""
    paper_width: Literal[58, 80] = 80
    encoding: Literal["gbk", "gb18030"] = "gbk"
    chinese_commands: bool = True
    """Wrap Chinese text in ``FS &`` … ``FS .``; off for printers that start in Chinese mode."""
    cash_drawer: bool = True
    """Kick the cash drawer open at the end of a cash sale's receipt."""
    timeout: float = Field(default=5.0, gt=0, le=60)
    """Seconds to wait for the printer to connect or take a job."""
    retry_seconds: int = Field(default=15, ge=1, le=3600)
    """How often queued receipts are tried again while the printer is failing."""
    language: str = "zh_CN"
    """Language of the receipt (zh_CN or en), whatever the screen's."""
    footer: tuple[str, ...] = ("谢谢惠顾，祝您健康！", "请保留小票，凭小票退换货")

    @field_validator("uri")
    @classmethod
    def _known_uri(cls, value: str) -> str:
        from printer.uri import PrinterUriError, parse_printer_uri

        try:
            parse_printer_uri(value)
        except PrinterUriError as exc:
            raise ValueError(str(exc)) from exc
        return value

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if not value.lower().replace("-", "_").startswith(("zh", "en")):
            raise ValueError(f"unsupported language {value!r} (use zh_CN or en)")
        return value


class PharmacySettings(_Section):
    """Pharmacy rules the register enforces (PHARMACY.md); local rules differ: settings."""

    prescription_valid_days: int = Field(default=3, ge=1, le=30)
    """A prescription is valid this many days, counting the day it was written."""
    restricted_limits: dict[str, int] = {"ephedrine": 2}
    """Per-sale limit of each restricted-sale rule, in smallest packs."""
    velocity_days: int = Field(default=30, ge=1, le=365)
    velocity_packs: int = Field(default=6, ge=1, le=1000)
    """Warn when one ID bought this many restricted packs within ``velocity_days``."""

    @field_validator("restricted_limits")
    @classmethod
    def _positive_limits(cls, value: dict[str, int]) -> dict[str, int]:
        for rule, limit in value.items():
            if not 1 <= limit <= 100:
                raise ValueError(f"limit of {rule!r} must be from 1 to 100, not {limit}")
        return value


class BackupSettings(_Section):
    """The register's automatic daily backup (``[backup]``)."""

    daily: bool = True
    """Back up once per business day, at start-up or when the day changes."""
    folder: Path | None = None
    """Where the daily backups go; default: ``backups`` in the user data directory."""
    keep: int = Field(default=14, ge=1, le=3650)
    """The newest this many daily backups are kept."""

    @property
    def folder_path(self) -> Path:
        """The configured folder, else ``backups`` in the user data directory."""
        return self.folder or Path(platformdirs.user_data_dir(APP_NAME)) / "backups"


class TierSettings(_Section):
    """A member tier: reached by spending ``min_spend`` yuan over the last 12 months."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")
    min_spend: int = Field(ge=0)
    """Yuan spent over the last 12 months to reach this tier."""
    points_percent: int = Field(default=100, ge=0, le=1000)
    """Points multiplier of the tier, in percent (150 = 1.5×)."""


DEFAULT_TIERS = (
    TierSettings(name="normal", min_spend=0, points_percent=100),
    TierSettings(name="silver", min_spend=1000, points_percent=120),
    TierSettings(name="gold", min_spend=3000, points_percent=150),
    TierSettings(name="platinum", min_spend=10000, points_percent=200),
)


class LoyaltySettings(_Section):
    """The member programme (PHARMACY.md, Member programmes): points, tiers, birthdays."""

    points_per_yuan: int = Field(default=1, ge=0, le=100)
    """Points earned per yuan paid (other than with points)."""
    exclude_drug_classes: tuple[Literal["rx", "otc_a", "otc_b", "none"], ...] = ("rx",)
    """Drug classes that earn no points (Rx by default)."""
    exclude_categories: tuple[str, ...] = ()
    """Categories that earn no points."""
    birthday_points_percent: int = Field(default=200, ge=100, le=1000)
    """Points multiplier in the member's birthday month, in percent (100 = none)."""
    birthday_gift_points: int = Field(default=0, ge=0, le=100000)
    """Points offered once a year when the member is attached in their birthday month."""
    birthday_gift_sku: str = Field(default="", max_length=32)
    """A product given at no charge instead of the points (empty: points only)."""
    referral_points: int = Field(default=100, ge=0, le=100000)
    """Points credited to the member who recommended a new member, after its first purchase."""
    redeem_points_per_yuan: int = Field(default=100, ge=1, le=100000)
    """Points that pay for one yuan."""
    redeem_max_percent: int = Field(default=50, ge=0, le=100)
    """At most this share of a sale may be paid with points."""
    tiers: tuple[TierSettings, ...] = DEFAULT_TIERS
    invite: bool = True
    """Invite a customer who is not a member to enrol when a sale reaches payment."""

    @field_validator("tiers")
    @classmethod
    def _tiers_in_order(cls, value: tuple[TierSettings, ...]) -> tuple[TierSettings, ...]:
        if not value or value[0].min_spend != 0:
            raise ValueError("the first tier must start at min_spend = 0")
        spends = [tier.min_spend for tier in value]
        if spends != sorted(set(spends)):
            raise ValueError("tiers must be listed by increasing min_spend")
        return value


class ServiceSettings(_Section):
    """Service after the sale: follow-up calls and the classes of customer files."""

    follow_up_after_sale_days: int = Field(default=3, ge=0, le=90)
    """Days after a prescription or OTC-A sale to call the member (0: no call)."""
    follow_up_after_complaint_days: int = Field(default=2, ge=0, le=90)
    """Days after a member's complaint is closed to ask whether they are satisfied."""
    segment_new_days: int = Field(default=30, ge=1, le=3650)
    """Enrolled this many days ago or less, with at most one visit: a new member."""
    segment_regular_visits: int = Field(default=6, ge=2, le=1000)
    """This many visits or more, visiting lately: a regular."""
    segment_at_risk_days: int = Field(default=90, ge=1, le=3650)
    """No visit for more than this many days: at risk."""
    segment_lapsed_days: int = Field(default=180, ge=2, le=3650)
    """No visit for more than this many days: lapsed."""

    @model_validator(mode="after")
    def _lapsed_after_at_risk(self) -> ServiceSettings:
        if self.segment_lapsed_days <= self.segment_at_risk_days:
            raise ValueError("segment_lapsed_days must be more than segment_at_risk_days")
        return self


# ``register`` names the [register] section; it shadows ABCMeta.register, which
# nobody calls on settings.
warnings.filterwarnings("ignore", 'Field name "register"', UserWarning)


class Settings(BaseSettings):
    """All settings of one register."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    store: StoreSettings = StoreSettings()
    register: RegisterSettings = RegisterSettings()
    printer: PrinterSettings = PrinterSettings()
    loyalty: LoyaltySettings = LoyaltySettings()
    service: ServiceSettings = ServiceSettings()
    pharmacy: PharmacySettings = PharmacySettings()
    backup: BackupSettings = BackupSettings()
    sync: SyncSettings = SyncSettings()

    @property
    def database_path(self) -> Path:
        """The database file, from the settings or the user data directory."""
        return self.register.database or default_database_path()

    @property
    def key_path(self) -> Path:
        """The store's secret key file, from the settings or the user config directory."""
        return self.register.key_file or default_config_path().parent / "store.key"

    @property
    def locale(self) -> str:
        """The configured locale, else the environment's."""
        from pos import i18n

        configured = self.register.locale
        return i18n.normalize(configured) if configured else i18n.default_locale()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        data = _config_file.get("data")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if data:  # the file as load_settings read it (a UTF-8 BOM allowed)
            sources.append(InitSettingsSource(settings_cls, init_kwargs=data))
        return tuple(sources)


_config_file: dict[str, dict[str, Any] | None] = {"data": None}


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line per problem."""


def config_path(explicit: str | Path | None = None) -> Path:
    """The configuration file to read: explicit, ``$POS_CONFIG`` or the default."""
    if explicit:
        return Path(explicit)
    if os.environ.get("POS_CONFIG"):
        return Path(os.environ["POS_CONFIG"])
    return default_config_path()


def load_settings(explicit: str | Path | None = None, **overrides: Any) -> Settings:
    """Read the settings; raise :class:`ConfigError` naming each bad key and its file."""
    path = config_path(explicit)
    if not path.exists() and (explicit or os.environ.get("POS_CONFIG")):
        source = "--config" if explicit else "POS_CONFIG"
        raise ConfigError(f"{path}: configuration file not found (named by {source})")
    file_data: dict[str, Any] = {}
    if path.exists():
        try:
            file_data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not a valid TOML file: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    _config_file["data"] = file_data
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, file_data, overrides)) from None
    except SettingsError as exc:
        raise ConfigError(_unparsable(exc)) from None
    finally:
        _config_file["data"] = None


def _describe(
    exc: ValidationError, path: Path, file_data: dict[str, Any], overrides: dict[str, Any]
) -> str:
    """One line per problem: where the value came from, its key, what is wrong."""
    lines = []
    for error in exc.errors():
        loc = error["loc"]
        key = ".".join(str(part) for part in loc)
        variable = _env_variable(loc)
        if _given(overrides, loc):
            where = "command line"
        elif variable is not None:  # the environment wins over the file
            where = "environment " + variable
        elif _given(file_data, loc):
            where = str(path)
        else:
            where = "environment " + ENV_PREFIX + "__".join(str(part).upper() for part in loc)
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        lines.append(f"{where}: {key}: {message}")
    return "\n".join(lines)


def _env_variable(loc: tuple[int | str, ...]) -> str | None:
    """The ``POS_*`` variable that set the value at ``loc`` (or a section holding it)."""
    names = {name.upper(): name for name in os.environ}
    for depth in range(len(loc), 0, -1):
        name = ENV_PREFIX + "__".join(str(part).upper() for part in loc[:depth])
        if name in names:
            return names[name]
    return None


def _given(data: Any, loc: tuple[int | str, ...]) -> bool:
    """Whether ``data`` (a file's tables) sets the value at ``loc`` or a part holding it.

    Lists count too (``[[loyalty.tiers]]``), and so does a table that lacks a key
    the value needs: the problem is in that table.
    """
    found = False
    for part in loc:
        in_table = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_table or in_list):
            return found
        data = data[part]
        found = True
    return found


def _unparsable(exc: SettingsError) -> str:
    """One line for an environment variable whose value is not the JSON its key needs."""
    match = re.search(r'field "(\w+)"', str(exc))
    section = (match[1] if match else "").upper()
    for name, value in sorted(os.environ.items()):
        upper = name.upper()
        if not section or not (
            upper == ENV_PREFIX + section or upper.startswith(ENV_PREFIX + section + "__")
        ):
            continue
        try:
            json.loads(value)
        except ValueError as error:
            if value.lstrip().startswith(("{", "[")) or upper == ENV_PREFIX + section:
                key = upper.removeprefix(ENV_PREFIX).lower().replace("__", ".")
                return f"environment {name}: {key}: not valid JSON ({error})"
    return f"environment {ENV_PREFIX}{section}: {exc}"
