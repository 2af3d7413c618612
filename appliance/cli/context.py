"""What a command handler gets: the settings and the store, opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from appliance.settings import Settings, load_settings

if TYPE_CHECKING:
    from appliance.usecases.service import PaymentService


@dataclass
class CommandContext:
    config_path: str | None = None
    verbose: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _service: PaymentService | None = field(default=None, repr=False)
    _closers: list[Any] = field(default_factory=list, repr=False)

    @property
    def service(self) -> PaymentService:
        """The payment service over the configured store (migrated on first use)."""
        if self._service is None:
            from appliance.runtime import build_service

            self._service = build_service(self.settings)
            from appliance.store import database as db

            self.on_close(db.database.obj.close)
        return self._service

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    def preloaded(self, settings: Settings) -> None:
        """Use ``settings``, read from this context's file a moment ago (before the command's module loaded)."""
        self._settings = settings

    def reload_settings(self) -> None:
        """Read the settings file again (a command changed it); the store is not open yet."""
        self._settings = None

    def on_close(self, closer: Any) -> None:
        """Run ``closer()`` when the command ends (open connections, threads)."""
        self._closers.append(closer)

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()
