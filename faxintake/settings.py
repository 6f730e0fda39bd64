"""The one settings object: built at the entry point (CLI or flow parameters) and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from faxintake.errors import ConfigError

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "sample_faxes" / "corpus"
STORE_ENV = "FAXINTAKE_STORE"  # the store URL when none is given; how a served flow gets one with a password


@dataclass(frozen=True)
class Settings:
    out_dir: Path = Path("out")
    roster_path: Path = SAMPLE_CORPUS / "members.csv"
    providers_path: Path = SAMPLE_CORPUS / "providers.csv"
    store_url: str | None = None  # default: SQLite in out_dir
    received_at: datetime | None = None  # overrides the fax header's date for every input
    confidence_threshold: float = 0.9  # below it, a read does not support a `return`
    workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    ocr_timeout_s: float = 30.0

    @property
    def store(self) -> str:
        return self.store_url or f"sqlite:///{(self.out_dir / 'faxintake.db').resolve()}"

    def with_store_from_env(self) -> Settings:
        """These settings with the store URL of the environment (FAXINTAKE_STORE) when none was given: how a served
        flow gets a URL with a password, which must not be a deployment parameter (Prefect saves and shows those)."""
        if self.store_url or not os.environ.get(STORE_ENV):
            return self
        return self.with_(store_url=os.environ[STORE_ENV])

    def checked(self) -> Settings:
        for name in ("roster_path", "providers_path"):
            path: Path = getattr(self, name)
            if not path.is_file():
                raise ConfigError(f"{name.replace('_path', '')} file not found: {path}")
        if not 0.0 < self.confidence_threshold <= 1.0:
            raise ConfigError("--confidence-threshold must be in (0, 1]")
        return self

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
