"""Configuration: one TOML file, validated once, passed down explicitly.

The file (default ``config/callcenter.toml``) is read with ``tomllib`` and validated by
frozen pydantic models that forbid unknown keys. Secrets may come from the environment
(``CALLCENTER_AMI_SECRET``, ``CALLCENTER_MQTT_PASSWORD``, ``CALLCENTER_DATABASE_URL``)
and are ``SecretStr``: they never appear in logs or error messages. Every problem
becomes one line naming the file, the key and what was expected (``ConfigError``).
"""

import os
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from callcenter.errors import ConfigError
from callcenter.mqtt.settings import MqttSettings

DEFAULT_CONFIG = Path("config/callcenter.toml")

SECRET_ENV = {
    "CALLCENTER_AMI_SECRET": ("pbx", "secret"),
    "CALLCENTER_MQTT_PASSWORD": ("mqtt", "password"),
    "CALLCENTER_DATABASE_URL": ("database", "url"),
}

Port = Annotated[int, Field(ge=1, le=65535)]
Seconds = Annotated[float, Field(ge=0)]


class Section(BaseModel):
    """Base of every section: frozen, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class GeneralSettings(Section):
    """Where state lives and how much is logged."""

    data_dir: Path = Path("var")
    site: str = Field(default="default", pattern=r"^[A-Za-z0-9_-]+$")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    timezone: str = "UTC"


class PbxSettings(Section):
    """Which PBX to drive: the built-in simulation or a real Asterisk."""

    kind: Literal["simulated", "asterisk"] = "simulated"
    host: str = "127.0.0.1"
    port: Port = 5038
    username: str = "callcenter"
    secret: SecretStr | None = None
    agi_host: str = "127.0.0.1"
    agi_port: Port = 4573
    agent_endpoint: str = Field(default="PJSIP/{agent}", pattern=r"\{agent\}")
    connect_timeout: Annotated[float, Field(gt=0, le=120)] = 5.0
    # Where Asterisk writes voicemail (RECORD FILE): a directory on the Asterisk host
    # that exists and Asterisk may write to (it creates no directories).
    recordings_dir: str = Field(
        default="/var/spool/asterisk/callcenter", pattern=r"^/[\w./-]*$"
    )


class SimulationSettings(Section):
    """Simulated callers and agents for the embedded default."""

    seed: int = 42
    calls_per_hour: Annotated[float, Field(gt=0, le=1_000_000)] = 360.0
    daily_profile: bool = False
    patience_seconds: Annotated[float, Field(gt=0)] = 120.0
    answer_delay_seconds: tuple[Seconds, Seconds] = (1.0, 4.0)
    handle_time_seconds: Annotated[float, Field(gt=0)] = 60.0
    handle_time_distribution: Literal["exponential", "lognormal"] = "lognormal"
    no_answer_probability: Annotated[float, Field(ge=0, le=1)] = 0.05
    callback_probability: Annotated[float, Field(ge=0, le=1)] = 0.1


class DatabaseSettings(Section):
    """The CRM database: SQLite under the data dir unless a URL is given."""

    url: SecretStr | None = None
    seed_demo: bool = True
    phone_region: str = Field(default="CN", pattern=r"^[A-Z]{2}$")


Phone = Annotated[str, Field(pattern=r"^[A-Za-z0-9_/@.-]{1,64}$")]


class WebUserSettings(Section):
    """A person who may log in to the supervisor web page.

    ``password_hash`` is ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`` as printed by
    ``callcenter wallboard --hash-password``: the file never holds a password.
    ``phone`` is where a supervisor listens to, coaches and barges into calls: a PBX
    endpoint (``PJSIP/2001``) or an extension that ``[pbx] agent_endpoint`` turns
    into one (``2001``); a request may name another.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")
    role: Literal["supervisor", "agent"] = "supervisor"
    password_hash: SecretStr
    phone: Phone | None = None


class ApiTokenSettings(Section):
    """A bearer token for the REST API, stored as the SHA-256 (hex) of the token."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")
    role: Literal["supervisor", "agent"] = "supervisor"
    sha256: SecretStr


class ThresholdSettings(Section):
    """When a wallboard tile turns amber or red (and an alert goes on the bus)."""

    service_level_amber: Annotated[float, Field(ge=0, le=1)] = 0.8
    service_level_red: Annotated[float, Field(ge=0, le=1)] = 0.6
    longest_wait_amber: Seconds = 60.0
    longest_wait_red: Seconds = 120.0
    waiting_amber: Annotated[int, Field(ge=0)] = 5
    waiting_red: Annotated[int, Field(ge=0)] = 10
    abandon_rate_amber: Annotated[float, Field(ge=0, le=1)] = 0.05
    abandon_rate_red: Annotated[float, Field(ge=0, le=1)] = 0.1


class WebSettings(Section):
    """The supervisor web page, its REST API, users and wallboard thresholds."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8080
    secure_cookies: bool = True
    session_hours: Annotated[float, Field(gt=0, le=168)] = 8.0
    complaints_refresh_seconds: Annotated[float, Field(gt=0, le=3600)] = 5.0
    audit_log: Path | None = None
    users: tuple[WebUserSettings, ...] = ()
    api_tokens: tuple[ApiTokenSettings, ...] = ()
    thresholds: ThresholdSettings = ThresholdSettings()


class IvrSettings(Section):
    """Where the call flows are and which one answers calls."""

    flows_dir: Path = Path("config/ivr")
    main_flow: str = "main"


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OpeningInterval = Annotated[
    str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
]


class HoursSettings(Section):
    """When the center is open: the IVR's ``business_hours`` and ``holiday``.

    ``weekly`` maps a weekday (``mon`` ... ``sun``) to local opening intervals
    (``"09:00-18:00"``; an end of ``"00:00"`` is midnight); days left out are
    closed. Without ``weekly`` the center is open around the clock (the default)
    except on ``holidays`` (local dates). ``timezone`` defaults to
    ``general.timezone``.
    """

    timezone: str | None = None
    weekly: dict[Weekday, tuple[OpeningInterval, ...]] | None = None
    holidays: tuple[date, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                msg = f"unknown time zone {value!r} (an IANA name like Asia/Shanghai)"
                raise ValueError(msg) from None
        return value


class QueueSettings(Section):
    """One ACD queue.

    ``weight`` (Asterisk app_queue's, default 0): an agent shared by several
    queues who frees up serves the callers of the heaviest queue first; equal
    weights compare the callers (priority, then waiting time).
    """

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    strategy: str = "longest_idle"
    ring_timeout: Annotated[float, Field(gt=0, le=300)] = 15.0
    wrap_up: Annotated[float, Field(ge=0, le=3600)] = 10.0
    max_no_answer: Annotated[int, Field(ge=1, le=100)] = 3
    service_level_seconds: Annotated[float, Field(gt=0)] = 20.0
    max_waiting: Annotated[int, Field(ge=1)] | None = None
    weight: Annotated[int, Field(ge=0)] = 0


class AgentSettings(Section):
    """One agent: id, extension and the queues (with penalty) they serve."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    name: str
    queues: dict[str, Annotated[int, Field(ge=0, le=100)]]
    skills: dict[str, Annotated[int, Field(ge=0, le=10)]] = {}
    pin: SecretStr | None = None
    simulated: bool = True


def _default_queues() -> tuple[QueueSettings, ...]:
    return tuple(
        QueueSettings(name=name)
        for name in ("reservations", "bookings", "complaints", "key_accounts")
    )


def _default_agents() -> tuple[AgentSettings, ...]:
    teams = {
        "reservations": 0,
        "bookings": 0,
        "complaints": 1,
        "key_accounts": 2,
    }
    names = ("Anna", "Bo", "Chen", "Dana", "Eli", "Fang", "Gus", "Hui")
    return tuple(
        AgentSettings(
            id=str(1001 + i),
            name=name,
            queues=teams,
            skills={"complaints": 5 + i % 4} if i % 2 else {},
        )
        for i, name in enumerate(names)
    )


Code = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=40)]


class ConsoleSettings(Section):
    """The agent console's code lists: what an agent picks from, not free text.

    Reports group by these codes, so a site sets its own in ``[console]``.
    """

    pause_reasons: tuple[Code, ...] = Field(
        default=("break", "lunch", "training", "meeting"), min_length=1
    )
    dispositions: tuple[Code, ...] = Field(
        default=(
            "resolved", "booking_made", "booking_changed", "information",
            "complaint_logged", "callback_needed", "transferred", "no_action",
        ),
        min_length=1,
    )  # fmt: skip

    @field_validator("pause_reasons", "dispositions")
    @classmethod
    def _unique(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(codes)) != len(codes):
            raise ValueError("codes must be unique")
        return codes


class Settings(Section):
    """The whole configuration."""

    general: GeneralSettings = GeneralSettings()
    pbx: PbxSettings = PbxSettings()
    simulation: SimulationSettings = SimulationSettings()
    mqtt: MqttSettings = MqttSettings()
    database: DatabaseSettings = DatabaseSettings()
    web: WebSettings = WebSettings()
    ivr: IvrSettings = IvrSettings()
    hours: HoursSettings = HoursSettings()
    console: ConsoleSettings = ConsoleSettings()
    queues: tuple[QueueSettings, ...] = Field(default_factory=_default_queues)
    agents: tuple[AgentSettings, ...] = Field(default_factory=_default_agents)

    def database_url(self) -> str:
        """Return the database URL (SQLite under the data dir by default)."""
        if self.database.url is not None:
            return self.database.url.get_secret_value()
        path = (self.general.data_dir / "callcenter.db").resolve()
        return f"sqlite+aiosqlite:///{path}"


def _key_path(location: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in location:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else item)
    return "".join(parts) or "(top level)"


def _describe(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see config/callcenter.toml)"
    message = str(error["msg"])
    location = error["loc"]
    secret = any(
        str(part) in {"secret", "password", "url", "pin", "password_hash", "sha256"}
        for part in location
    )
    if secret or kind == "missing":
        return message
    return f"{message}, got {error.get('input')!r}"


def _format_errors(source: str, exc: ValidationError) -> str:
    lines = [
        f"{source}: {_key_path(tuple(err['loc']))}: {_describe(err)}"
        for err in exc.errors()
    ]
    return "\n".join(lines)


def _apply_env(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for variable, (section, key) in SECRET_ENV.items():
        value = environ.get(variable)
        if value:
            table = data.setdefault(section, {})
            if isinstance(table, dict):
                table[key] = value


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        msg = f"{path}: configuration file not found"
        raise ConfigError(msg) from exc
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{path}: cannot read configuration file: {exc}"
        raise ConfigError(msg) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML: {exc}"
        raise ConfigError(msg) from exc


def load_settings(
    path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Load and validate the configuration.

    Args:
        path: the TOML file; ``None`` uses ``config/callcenter.toml`` when it exists
            and the built-in defaults (the embedded call center) otherwise.
        environ: environment for secrets (default ``os.environ``).
        overrides: section -> key -> value, applied last (command-line options).

    Raises:
        ConfigError: with one line per problem, naming file, key and expectation.
    """
    environ = os.environ if environ is None else environ
    if path is None:
        path = DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None
    data = _read_toml(path) if path is not None else {}
    source = str(path) if path is not None else "built-in defaults"
    _apply_env(data, environ)
    for section, values in (overrides or {}).items():
        table = data.setdefault(section, {})
        if isinstance(table, dict):
            table.update(values)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(source, exc)) from None
    _check_references(settings, source)
    return settings


def _check_references(settings: Settings, source: str) -> None:
    queues = {queue.name for queue in settings.queues}
    problems = [
        f"{source}: agents[{index}].queues: unknown queue {name!r} "
        f"(defined: {', '.join(sorted(queues))})"
        for index, agent in enumerate(settings.agents)
        for name in agent.queues
        if name not in queues
    ]
    ids = [agent.id for agent in settings.agents]
    problems += [
        f"{source}: agents: duplicate agent id {agent_id!r}"
        for agent_id in sorted({i for i in ids if ids.count(i) > 1})
    ]
    if problems:
        raise ConfigError("\n".join(problems))
