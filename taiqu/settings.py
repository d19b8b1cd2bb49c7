"""Settings, read once from the environment at start-up (never inside a request)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from graph.domain.clock import DEFAULT_ZONE, zone_problem
from graph.domain.dates import DEFAULT_DAYS_AHEAD, DEFAULT_EARLIEST, DateBounds
from graph.domain.errors import ConfigError
from graph.indicators.scoring import DEFAULT_WEIGHTS, weights_problem
from graph.series.files import SeriesFolder
from graph.series.loss import LossRules
from graph.series.technical.day import Assumptions
from graph.series.technical.shapes import residential_shape, shape_from_text
from graph.stores.contract import Store
from graph.stores.factory import open_store

if TYPE_CHECKING:
    from graph.series.reader import LossReader


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _day(env: Mapping[str, str], name: str, default: dt.date) -> dt.date:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a date (YYYY-MM-DD), got {raw!r}") from exc
    if not dt.date(1900, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise ConfigError(f"{name} must be between 1900-01-01 and 2100-12-31, got {value}")
    return value


def _fraction(env: Mapping[str, str], name: str, default: str) -> Decimal:
    raw = env.get(name) or default
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ConfigError(f"{name} must be a decimal number, got {raw!r}") from exc
    if not Decimal(0) <= value <= Decimal(1):
        raise ConfigError(f"{name} must be between 0 and 1, got {raw}")
    return value


def _power_factor(env: Mapping[str, str]) -> Decimal:
    value = _fraction(env, "TAIQU_POWER_FACTOR", "0.95")
    if value < Decimal("0.5"):
        raise ConfigError(f"TAIQU_POWER_FACTOR must be between 0.5 and 1, got {value}")
    return value


def _weights(env: Mapping[str, str]) -> tuple[tuple[str, float], ...]:
    """TAIQU_ASSESSMENT_WEIGHTS, e.g. "lossRate=40,qualifiedRate=20" (unset: the defaults)."""
    raw = (env.get("TAIQU_ASSESSMENT_WEIGHTS") or "").strip()
    if not raw:
        return tuple(DEFAULT_WEIGHTS.items())
    found: dict[str, float] = {}
    for part in raw.split(","):
        name, _, value = part.partition("=")
        try:
            found[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(
                f"TAIQU_ASSESSMENT_WEIGHTS: {part.strip()!r} is not NAME=NUMBER"
            ) from None
    problem = weights_problem(found)
    if problem:
        raise ConfigError(f"TAIQU_ASSESSMENT_WEIGHTS: {problem}")
    return tuple(found.items())


def _timezone(env: Mapping[str, str]) -> str:
    name = (env.get("TAIQU_TIMEZONE") or DEFAULT_ZONE).strip()
    problem = zone_problem(name)
    if problem:
        raise ConfigError(f"TAIQU_TIMEZONE: {problem}")
    return name


def _log_format(env: Mapping[str, str]) -> str:
    found = (env.get("TAIQU_LOG_FORMAT") or "text").strip().lower()
    if found not in ("text", "json"):
        raise ConfigError(f"TAIQU_LOG_FORMAT must be text or json, got {found!r}")
    return found


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """TAIQU_CORS_ORIGINS: the web origins whose pages may call the API from a browser,
    comma-separated (https://explorer.example.cn), or `*` for any; none by default."""
    found: list[str] = []
    for part in (env.get("TAIQU_CORS_ORIGINS") or "").split(","):
        origin = part.strip().rstrip("/")
        if not origin:
            continue
        scheme, sep, rest = origin.partition("://")
        if origin != "*" and (
            scheme not in ("http", "https") or not sep or not rest or "/" in rest
        ):
            raise ConfigError(
                f"TAIQU_CORS_ORIGINS: {part.strip()!r} is not an origin "
                "(scheme://host[:port], no path) nor *"
            )
        found.append(origin)
    return tuple(found)


@dataclass(frozen=True)
class OidcSettings:
    """OpenID Connect access tokens accepted beside API keys (api/oidc.py): signed by a key of
    `jwks` (a file or an https URL), from `issuer`, for `audience`; role and org unit read
    from the named claims, the principal's name from `name_claim`."""

    issuer: str
    audience: str
    jwks: str
    role_claim: str = "taiqu_role"
    org_claim: str = "taiqu_org"
    name_claim: str = "sub"


def _oidc(env: Mapping[str, str]) -> OidcSettings | None:
    issuer = env.get("TAIQU_OIDC_ISSUER", "").strip()
    if not issuer:
        return None
    audience = env.get("TAIQU_OIDC_AUDIENCE", "").strip()
    jwks = env.get("TAIQU_OIDC_JWKS", "").strip()
    if not audience or not jwks:
        raise ConfigError("TAIQU_OIDC_ISSUER needs TAIQU_OIDC_AUDIENCE and TAIQU_OIDC_JWKS")
    if jwks.startswith("http://"):
        raise ConfigError("TAIQU_OIDC_JWKS must be a file or an https:// URL")
    return OidcSettings(
        issuer,
        audience,
        jwks,
        env.get("TAIQU_OIDC_ROLE_CLAIM") or "taiqu_role",
        env.get("TAIQU_OIDC_ORG_CLAIM") or "taiqu_org",
        env.get("TAIQU_OIDC_NAME_CLAIM") or "sub",
    )


@dataclass(frozen=True)
class Settings:
    home: Path = Path(".taiqu")
    timezone: str = DEFAULT_ZONE  # whose "today" counts (graph/domain/clock.py)
    neo4j_uri: str | None = None
    neo4j_user: str | None = None
    neo4j_password: str | None = None  # never logged; repr hides it
    neo4j_database: str = "neo4j"
    graphiql: bool = True
    explorer: bool = True  # the explorer's page at / (api/static/explorer, built from web/)
    introspection: bool = True  # the schema readable by __schema / __type (GraphiQL needs it)
    cors_origins: tuple[str, ...] = ()  # web origins allowed to call from a browser
    metrics: bool = True  # Prometheus metrics on /metrics (api/observe.py)
    trusted_documents: Path | None = None  # integration principals run these only
    otlp_endpoint: str | None = None  # OpenTelemetry traces to this collector (api/tracing.py)
    log_format: str = "text"  # "json": one JSON object per log line (taiqu/logs.py)
    read_only: bool = False  # serve the home read-only even when it could be written
    default_page_size: int = 20
    max_page_size: int = 100
    max_search_hits: int = 50
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2_000
    max_spreads: int = 1_000  # fragment spreads once expanded (a chain doubles per link)
    max_query_bytes: int = 65_536  # the query text, comments and strings included
    max_body_bytes: int = 1_048_576  # a request body (query and variables)
    max_cost: int = 10_000  # objects a request returns and days it reads (api/cost.py)
    request_timeout_ms: int = 30_000  # a query past it is stopped (api/time_limit.py)
    max_running_requests: int = 2  # GraphQL requests executing at once; the others wait
    response_cache_mb: int = 64  # answers kept for identical requests (0: none kept)
    fast_path: bool = True  # topology queries answered from one store read (api/fast_path.py)
    loss_high_rate: Decimal = Decimal("0.10")  # HIGH above this loss rate
    loss_min_coverage: Decimal = Decimal("0.98")  # UNCOMPUTABLE below this reading coverage
    loss_max_days: int = 400  # longest period a loss query may ask for
    earliest_date: dt.date = DEFAULT_EARLIEST  # no effective date or loss day before it
    max_days_ahead: int = DEFAULT_DAYS_AHEAD  # nor after today + this many days
    # How often the server checks that the loss copy mirrors the topology (another process's
    # write that crashed before its sync): behind, it is not ready until it has resynced.
    sync_check_ms: int = 5_000
    oidc: OidcSettings | None = None  # access tokens accepted beside API keys
    # Technical loss's assumptions where the data is silent (docs/technical-loss.md).
    power_factor: Decimal = Decimal("0.95")
    typical_shape_file: Path | None = None  # 96 or 24 values; None: the residential day
    # Points per indicator in the assessment's score (graph/indicators/scoring.py).
    assessment_weights: tuple[tuple[str, float], ...] = tuple(DEFAULT_WEIGHTS.items())

    def __repr__(self) -> str:
        store = f"neo4j {self.neo4j_uri}" if self.neo4j_uri else f"embedded {self.home}"
        return f"Settings(store={store}, graphiql={self.graphiql})"

    def open_store(self, read_only: bool = False) -> Store:
        """The configured store: Neo4j when a URI is set, else the embedded one (opened
        read-only, `read_only`: a home that cannot be written)."""
        return open_store(
            self.home,
            self.neo4j_uri,
            self.neo4j_user,
            self.neo4j_password,
            self.neo4j_database,
            read_only=read_only,
        )

    def home_is_read_only(self) -> bool:
        """The home exists and this process cannot write into it (a read-only mount, a copy
        for reports), or TAIQU_READ_ONLY says so: it is served read-only. A missing home is
        created, so it is writable."""
        return self.read_only or (self.home.is_dir() and not os.access(self.home, os.W_OK))

    def series_folder(self) -> SeriesFolder:
        """Readings and balances: beside the topology under TAIQU_HOME, whichever the store."""
        return SeriesFolder(self.home / "series", self.technical_assumptions())

    def loss_reader(self) -> LossReader:
        """Loss answers from the series folder under these rules (close it when done)."""
        from graph.series.reader import LossReader  # duckdb: only for the commands that read

        return LossReader(self.series_folder(), self.loss_rules())

    def technical_assumptions(self) -> Assumptions:
        shape = residential_shape()
        if self.typical_shape_file is not None:
            try:
                text = self.typical_shape_file.read_text(encoding="utf-8")
                shape = shape_from_text(text)
            except (OSError, ValueError) as exc:
                raise ConfigError(
                    f"TAIQU_TYPICAL_SHAPE ({self.typical_shape_file}): {exc}"
                ) from exc
        return Assumptions(power_factor=float(self.power_factor), typical_shape=shape)

    def plans_folder(self) -> Path:
        """Reconciliation plans (one JSON file each), beside the topology under TAIQU_HOME."""
        return self.home / "plans"

    def date_bounds(self) -> DateBounds:
        return DateBounds(self.earliest_date, self.max_days_ahead)

    def loss_rules(self) -> LossRules:
        return LossRules(
            self.loss_high_rate, self.loss_min_coverage, self.loss_max_days, self.date_bounds()
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            home=Path(env.get("TAIQU_HOME") or ".taiqu"),
            timezone=_timezone(env),
            neo4j_uri=env.get("TAIQU_NEO4J_URI") or None,
            neo4j_user=env.get("TAIQU_NEO4J_USER") or None,
            neo4j_password=env.get("TAIQU_NEO4J_PASSWORD") or None,
            neo4j_database=env.get("TAIQU_NEO4J_DATABASE") or "neo4j",
            graphiql=_flag(env, "TAIQU_GRAPHIQL", True),
            explorer=_flag(env, "TAIQU_EXPLORER", True),
            introspection=_flag(env, "TAIQU_INTROSPECTION", True),
            cors_origins=_origins(env),
            metrics=_flag(env, "TAIQU_METRICS", True),
            otlp_endpoint=env.get("TAIQU_OTLP_ENDPOINT") or None,
            trusted_documents=Path(env["TAIQU_TRUSTED_DOCUMENTS"])
            if env.get("TAIQU_TRUSTED_DOCUMENTS")
            else None,
            log_format=_log_format(env),
            read_only=_flag(env, "TAIQU_READ_ONLY", False),
            default_page_size=_int(env, "TAIQU_DEFAULT_PAGE_SIZE", 20, 1, 1000),
            max_page_size=_int(env, "TAIQU_MAX_PAGE_SIZE", 100, 1, 1000),
            max_depth=_int(env, "TAIQU_MAX_DEPTH", 12, 2, 50),
            max_aliases=_int(env, "TAIQU_MAX_ALIASES", 30, 1, 1000),
            max_tokens=_int(env, "TAIQU_MAX_TOKENS", 2_000, 100, 100_000),
            max_spreads=_int(env, "TAIQU_MAX_SPREADS", 1_000, 10, 100_000),
            max_query_bytes=_int(env, "TAIQU_MAX_QUERY_BYTES", 65_536, 1_024, 10_485_760),
            max_body_bytes=_int(env, "TAIQU_MAX_BODY_BYTES", 1_048_576, 4_096, 104_857_600),
            max_cost=_int(env, "TAIQU_MAX_COST", 10_000, 10, 10_000_000),
            request_timeout_ms=_int(env, "TAIQU_REQUEST_TIMEOUT_MS", 30_000, 10, 3_600_000),
            max_running_requests=_int(env, "TAIQU_MAX_RUNNING_REQUESTS", 2, 1, 256),
            response_cache_mb=_int(env, "TAIQU_RESPONSE_CACHE_MB", 64, 0, 65_536),
            fast_path=_flag(env, "TAIQU_FAST_PATH", True),
            loss_high_rate=_fraction(env, "TAIQU_LOSS_HIGH_RATE", "0.10"),
            loss_min_coverage=_fraction(env, "TAIQU_LOSS_MIN_COVERAGE", "0.98"),
            loss_max_days=_int(env, "TAIQU_LOSS_MAX_DAYS", 400, 1, 3660),
            earliest_date=_day(env, "TAIQU_EARLIEST_DATE", DEFAULT_EARLIEST),
            max_days_ahead=_int(env, "TAIQU_MAX_DAYS_AHEAD", DEFAULT_DAYS_AHEAD, 0, 3660),
            sync_check_ms=_int(env, "TAIQU_SYNC_CHECK_MS", 5_000, 50, 600_000),
            power_factor=_power_factor(env),
            typical_shape_file=Path(env["TAIQU_TYPICAL_SHAPE"])
            if env.get("TAIQU_TYPICAL_SHAPE")
            else None,
            oidc=_oidc(env),
            assessment_weights=_weights(env),
        )
