"""What a command handler gets: the settings and the store, opened on first use."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appliance.settings import Settings, load_settings


@dataclass
class CommandContext:
    config_path: str | None = None
    verbose: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _closers: list[Any] = field(default_factory=list, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    def on_close(self, closer: Any) -> None:
        """Run ``closer()`` when the command ends (open connections, threads)."""
        self._closers.append(closer)

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()
