"""Settings: ``config.toml`` overridden by environment variables.

Environment: ``TELEGRAM_BOT_TOKEN`` for the token and
``SCORECARD_<SECTION>__<KEY>`` (for example ``SCORECARD_STORAGE__DATABASE``)
for everything else. A bad setting raises :class:`ConfigError` with one line
naming it.
"""

from __future__ import annotations

import csv
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainValidator,
    PositiveInt,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from reporting.digest.reference import Reference, ReferencePoint
from reporting.disclosure import Disclosure
from storage.dialect import PostgresURL, parse_database

DEFAULT_CONFIG = Path("config.toml")
TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """A missing or malformed setting; the message is one line."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TelegramSettings(_Section):
    token: SecretStr | None = None
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_PATTERN.match(value.get_secret_value()):
            # Never echo the value: it may be a real token with a typo.
            raise ValueError("does not look like a bot token (digits, a colon, then a key)")
        return value

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value


class StorageSettings(_Section):
    # A SQLite file, or a postgresql:// URL (storage.dialect): kept as a str
    # subclass, since Path would fold the URL's "//".
    database: Annotated[Path | PostgresURL, PlainValidator(parse_database)] = Path(
        "data/scorecard.sqlite3"
    )


class AccessSettings(_Section):
    admins: list[int] = []


class SurveySettings(_Section):
    file: Path | None = None


QUIET_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class OutreachSettings(_Section):
    """Invitations, broadcasts and reminders (docs/admins.md, "Invitations and outreach")."""

    # Needed by the CLI for deep links; the running bot asks Telegram instead.
    bot_username: str | None = None
    reminder_after_days: float = 3.0
    reminder_max: int = 2
    reminder_check_minutes: int = 60
    quiet_hours: str = "21:00-08:00"
    broadcast_rate: float = 28.0

    @field_validator("reminder_after_days", "reminder_check_minutes", "broadcast_rate")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be greater than 0")
        return value

    @field_validator("reminder_max")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must be 0 or more")
        return value

    @field_validator("broadcast_rate")
    @classmethod
    def _within_telegram(cls, value: float) -> float:
        if value > 30:
            raise ValueError("must be at most 30 (Telegram's limit is about 30 messages a second)")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        if value and not QUIET_HOURS.match(value):
            raise ValueError("must look like 21:00-08:00 (or be empty for none)")
        return value


CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class BackupSettings(_Section):
    """Daily copies of the database (README, "Backups"); off while ``folder`` is unset."""

    folder: Path | None = None
    keep: int = 7
    time: str = "03:00"

    @field_validator("keep")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be 1 or more")
        return value

    @field_validator("time")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not CLOCK.match(value):
            raise ValueError("must look like 03:00 (HH:MM, 24-hour, in timezone)")
        return value


class PrivacySettings(_Section):
    """Retention and children's consent (docs/privacy.md)."""

    # Days after a person's last activity (first contact, consent, last answer,
    # submission) after which their Telegram id, chat id and invitation links go.
    retention_days: int = 365
    # How long a child's one-time link for their parent or guardian works.
    guardian_link_days: int = 7

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1 (days)")
        return value

    @field_validator("guardian_link_days")
    @classmethod
    def _link_days(cls, value: int) -> int:
        if not 1 <= value <= 30:
            raise ValueError("must be between 1 and 30 (days)")
        return value


class OfficialSetting(_Section):
    """The official view of one goal (1-5 scale) and where it comes from."""

    level: float
    source: str

    @field_validator("level")
    @classmethod
    def _on_scale(cls, value: float) -> float:
        if not 1 <= value <= 5:
            raise ValueError("must be between 1 and 5")
        return value


GOAL_KEY = re.compile(r"sdg([1-9]|1[0-7])")


def _on_scale(value: float | None) -> float | None:
    if value is not None and not 1 <= value <= 5:
        raise ValueError("must be between 1 and 5")
    return value


class ReferenceGoalSetting(_Section):
    """One goal's means in an earlier round (1-5 scale); either may be left out."""

    now: float | None = None
    forecast: float | None = None

    _scale = field_validator("now", "forecast")(_on_scale)

    @model_validator(mode="after")
    def _something(self) -> ReferenceGoalSetting:
        if self.now is None and self.forecast is None:
            raise ValueError("give now, forecast or both")
        return self


def _reference_csv(path: str) -> dict[str, dict[str, float]]:
    """``sdg,now,forecast`` rows as sdgN settings; an empty cell is a mean the round lacks."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ValueError(f"file: cannot read {path}: {exc.strerror}") from None
    goals: dict[str, dict[str, float]] = {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        if set(row) != {"sdg", "now", "forecast"}:
            raise ValueError(f"file: {path} needs the columns sdg,now,forecast")
        sdg = (row["sdg"] or "").strip().lower().removeprefix("sdg").strip()
        if not sdg.isdigit() or not 1 <= int(sdg) <= 17:
            raise ValueError(f"file: {path} row {number}: sdg must be 1 to 17")
        means = {}
        for kind in ("now", "forecast"):
            cell = (row[kind] or "").strip().replace(",", ".")
            if cell:
                try:
                    means[kind] = float(cell)
                except ValueError:
                    raise ValueError(f"file: {path} row {number}: {kind} is not a number") from None
        goals[f"sdg{int(sdg)}"] = means
    return goals


class ReferenceSetting(BaseModel):
    """An earlier round shown beside this one: label, its years, then sdg1 = { now, forecast }.

    The goals sit beside the fixed keys (not in a sub-table) so a coordinator
    copies one line per goal from the report; any other key is refused.
    """

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, ReferenceGoalSetting]

    label: str
    now_year: int
    forecast_year: int

    # A CSV of per-goal means (``sdg,now,forecast``, one row per goal), e.g. the
    # 2022 report's, instead of (or besides) sdgN lines; sdgN lines win.
    file: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            fixed = set(cls.model_fields)
            for key in data:
                if key not in fixed and not GOAL_KEY.fullmatch(str(key)):
                    raise ValueError(
                        f"{key!r} is not a setting: use label, now_year, forecast_year, file, "
                        "sdg1 .. sdg17"
                    )
            if data.get("file"):
                data = {**_reference_csv(str(data["file"])), **data}
        return data

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        if not value.strip() or len(value) > 80:
            raise ValueError("must be 1 to 80 characters")
        return value.strip()

    @field_validator("now_year", "forecast_year")
    @classmethod
    def _year(cls, value: int) -> int:
        if not 2000 <= value <= 2100:
            raise ValueError("must be a year between 2000 and 2100")
        return value

    @model_validator(mode="after")
    def _order(self) -> ReferenceSetting:
        if self.forecast_year <= self.now_year:
            raise ValueError("forecast_year must come after now_year")
        if not self.goals():
            raise ValueError("give at least one goal, e.g. sdg1 = { now = 3.3, forecast = 3.7 }")
        return self

    def goals(self) -> dict[str, ReferenceGoalSetting]:
        return dict(self.__pydantic_extra__ or {})


class DigestSettings(_Section):
    # Breakdown cells with fewer respondents than this are suppressed everywhere.
    min_cell: int = 5
    # The period /digest covers on demand, in days.
    window_days: int = 7
    # Most recent comments in a digest workbook.
    max_comments: int = 5000
    # Per goal, e.g. sdg1 = { level = 4.2, source = "..." }; overrides the survey file.
    official: dict[str, OfficialSetting] = {}
    # An earlier round's per-goal means, drawn beside this round's (see ReferenceSetting).
    reference: ReferenceSetting | None = None

    @field_validator("min_cell")
    @classmethod
    def _at_least_two(cls, value: int) -> int:
        if value < 2:
            raise ValueError("must be at least 2")
        return value

    @field_validator("window_days", "max_comments")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @field_validator("official")
    @classmethod
    def _goal_keys(cls, value: dict[str, OfficialSetting]) -> dict[str, OfficialSetting]:
        for key in value:
            if not re.fullmatch(r"sdg([1-9]|1[0-7])", key):
                raise ValueError(f"{key!r}: use sdg1 .. sdg17")
        return value


class CoordinatorSetting(_Section):
    telegram_id: int
    # e.g. { region = "north" } or { region = "north", group = "youth" }; {} is everything.
    scope: dict[str, str] = {}
    # "daily 08:00", "mon 08:00" or "off" (on demand only), in the configured time zone.
    schedule: str = "mon 08:00"
    language: Literal["vi", "en"] = "vi"

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        from bot.coordinator.schedule import ScheduleError, parse_schedule

        try:
            parse_schedule(value)
        except ScheduleError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("scope")
    @classmethod
    def _scope_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if key not in ("group", "region", "area"):
                raise ValueError(f"unknown scope {key!r}: use group, region, area")
        return value


class FacilitatorSetting(_Section):
    """A person who runs facilitated interviews and group sessions (issue 11)."""

    telegram_id: PositiveInt


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SCORECARD_", env_nested_delimiter="__", extra="forbid"
    )

    telegram: TelegramSettings = TelegramSettings()
    storage: StorageSettings = StorageSettings()
    access: AccessSettings = AccessSettings()
    survey: SurveySettings = SurveySettings()
    outreach: OutreachSettings = OutreachSettings()
    digest: DigestSettings = DigestSettings()
    backup: BackupSettings = BackupSettings()
    privacy: PrivacySettings = PrivacySettings()
    coordinators: list[CoordinatorSetting] = []
    facilitators: list[FacilitatorSetting] = []
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: Literal["vi", "en"] = "vi"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @model_validator(mode="after")
    def _backups_copy_sqlite(self) -> Settings:
        if self.backup.folder is not None and isinstance(self.storage.database, PostgresURL):
            raise ValueError(
                "backup.folder: daily copies are of a SQLite file; on PostgreSQL leave it"
                " unset and schedule pg_dump instead (docs/postgresql.md)"
            )
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init arguments; the environment wins.
        return (env_settings, init_settings)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def disclosure(self) -> Disclosure:
        """The disclosure settings, read here once for every output."""
        return Disclosure(k=self.digest.min_cell)

    def require_token(self) -> str:
        if self.telegram.token is None:
            raise ConfigError("telegram.token: missing; set TELEGRAM_BOT_TOKEN or [telegram] token")
        return self.telegram.token.get_secret_value()


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "config"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where}: {message}{more}"


def load_settings(path: Path | None = None) -> Settings:
    """Read ``path`` (or ./config.toml when present) and the environment."""
    file_values: dict[str, Any] = {}
    chosen = path if path is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    if chosen is not None:
        try:
            file_values = tomllib.loads(Path(chosen).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"--config: file not found: {chosen}") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"--config: cannot read {chosen}: {exc}") from None
    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    if token:
        telegram = file_values.setdefault("telegram", {})
        if isinstance(telegram, dict):
            telegram["token"] = token
    try:
        return Settings(**file_values)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None


def reference_from_settings(settings: DigestSettings) -> Reference | None:
    setting = settings.reference
    if setting is None:
        return None
    return Reference(
        setting.label,
        setting.now_year,
        setting.forecast_year,
        {
            int(key.removeprefix("sdg")): ReferencePoint(value.now, value.forecast)
            for key, value in setting.goals().items()
        },
    )
