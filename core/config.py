"""Settings read from the environment (prefix ``MUSHARAKA_``) or a ``.env`` file."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = Path.cwd() / "data"
SUPPORTED_LANGUAGES = ("ar", "en", "fr")
DEFAULT_ADMIN_SECRET = "change-me-in-production"


class Runtime(StrEnum):
    AIOGRAM = "aiogram"
    PTB = "ptb"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MUSHARAKA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: str | None = None
    database_url: str = Field(
        default_factory=lambda: f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'musharaka.sqlite'}"
    )
    redis_url: str | None = None
    # Every Redis key starts with this, so several bots (or test runs) can share one Redis.
    redis_prefix: str = "musharaka:"
    # Connections one process keeps to Redis; a request waits this long for a free one.
    redis_max_connections: int = 64
    redis_pool_timeout_seconds: float = 20.0
    bot_api_url: str = "https://api.telegram.org"
    runtime: Runtime = Runtime.AIOGRAM
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    webhook_path: str = "/telegram/webhook"
    default_language: str = "ar"
    # Arabic text shows Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩); true keeps Latin digits (0-9).
    latin_digits: bool = False
    timezone: str = "Africa/Tunis"
    # Outgoing limits (Telegram's documented broadcast limits; raise for paid broadcasts).
    global_rate_per_second: float = 30.0
    per_chat_interval_seconds: float = 1.0
    paid_broadcasts: bool = False
    # The broadcast sender (bot/workers/broadcast_sender.py): inside `musharaka run`, or alone
    # with `musharaka send-broadcasts`.
    run_broadcast_sender: bool = True
    broadcast_paid_rate_per_second: float = 1000.0
    broadcast_concurrency: int = Field(default=8, ge=1, le=256)
    broadcast_lease_seconds: float = Field(default=60.0, gt=0)
    broadcast_in_doubt: Literal["resend", "skip"] = "resend"
    broadcast_poll_seconds: float = Field(default=2.0, gt=0)
    # A user who sends more than this many updates in the window gets a polite "slow down".
    flood_max_updates: int = 20
    flood_window_seconds: float = 10.0
    # Presses of the buttons a conversation shows now (answering a long survey) have their
    # own, higher limit in the same window: 6 a second is faster than anyone reads.
    flood_max_taps: int = 60
    # Volunteers and trainings: typed phone numbers without +country are read in this region;
    # a seat freed from a full training is offered to the next in line for this long; the
    # trainer's check-in code works for this many minutes.
    phone_region: str = "TN"
    # Files residents send as survey answers (audio, video, documents) are kept here.
    media_dir: Path = Path("media")
    # ... or in an S3-compatible bucket when s3_bucket is set (storage.files.S3FileStore);
    # without keys, boto3 finds credentials as usual (AWS_* variables, instance role).
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""  # e.g. https://minio.example.org; empty: AWS
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr | None = None
    training_offer_hours: float = 24.0
    checkin_code_minutes: int = 90
    run_scheduler: bool = True
    # With Redis, processes that may run the scheduler elect one leader through a lock that
    # expires this long after the leader stops renewing it; due reminders are swept this often.
    leader_ttl_seconds: float = Field(default=15.0, gt=0)
    reminder_sweep_seconds: float = Field(default=60.0, gt=0)
    # The scheduler's leader also sends survey submissions of forms linked to ODK Central /
    # KoBoToolbox (formengine.odk_push), this often; false when `musharaka push-submissions` does.
    run_submission_pusher: bool = True
    push_interval_seconds: float = Field(default=30.0, gt=0)
    admin_host: str = "127.0.0.1"
    admin_port: int = 8000
    admin_secret_key: str = DEFAULT_ADMIN_SECRET  # `musharaka admin` refuses it (except --demo)
    admin_session_hours: int = 12  # a sign-in lasts at most this long
    admin_idle_minutes: int = 120  # ... and ends after this long without a request
    admin_cookie_secure: bool = False  # set true when the admin app is served over HTTPS
    log_level: str = "INFO"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
