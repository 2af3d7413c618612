"""What every use case shares: the settings, the clock, the event log, the box's link key.

The families of use cases (tokens, cards, checkout, deposits, review) are
classes built on :class:`UseCaseCore`; :class:`~appliance.usecases.service.PaymentService`
joins them. Each public method runs in one transaction and appends its events.
Everything that decides (amounts, the state machine, matching) is a pure
function in :mod:`appliance.domain`; the use cases read the facts, call them,
and write the result. ``now`` always comes from the injected clock.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appliance.domain import matching
from appliance.domain.amounts import OffsetRange
from appliance.domain.errors import ConfigError
from appliance.domain.reasons import plain
from appliance.domain.security import new_secret_key, payment_link_signature
from appliance.settings import Settings
from appliance.store import database as store
from appliance.store.models import Event, Meta

log = logging.getLogger(__name__)

UTC = dt.UTC
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


class DepositState:
    MATCHED = "matched"  # settled a payment (on time)
    LATE = "late"  # settled a payment as paid_late: waits for the operator
    AMBIGUOUS = "ambiguous"  # several payments could be meant: held for review
    UNMATCHED = "unmatched"  # no payment: held for review with hints
    HELD = "held"  # untrusted (SMSC, balance): held for review
    FOREIGN = "foreign"  # to an account that is not one of the merchant's cards
    NOT_PAYABLE = "not_payable"  # interest, correction, reversal: money, but no customer's payment
    DISMISSED = "dismissed"  # the operator closed it with a note
    REFUNDED = "refunded"  # the operator gave the money back

    REVIEW = (UNMATCHED, AMBIGUOUS, LATE, HELD)
    ASSIGNABLE = (UNMATCHED, AMBIGUOUS, HELD)


@dataclass(frozen=True)
class Gates:
    """Conditions outside the store that stop new payments (DESIGN.md "The SMS path", "The clock")."""

    clock_trusted: Callable[[], bool] = lambda: True
    receiving_ok: Callable[[], bool] = lambda: True
    # Can the receive path store the SMS it receives? A box that could never record a deposit
    # must not take a payment it could never confirm (code 22; see appliance.runtime.receive_path.Recording).
    recording_ok: Callable[[], bool] = lambda: True


class UseCaseCore:
    def __init__(
        self, settings: Settings, clock: Callable[[], dt.datetime] = utcnow, gates: Gates | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.gates = gates or Gates()
        p = settings.payments
        self.offsets = OffsetRange(p.min_offset, p.max_offset, p.offset_step)
        self.rules = matching.MatchRules(quarantine=dt.timedelta(hours=p.quarantine_hours))
        self._secret: str | None = None  # read (and checked) on first use: see secret
        # Called inside the transaction of every payment state change (payment id, from, to, now):
        # what they write (a webhook delivery, say) commits or rolls back with the change itself.
        self.payment_listeners: list[Callable[[int, str | None, str, dt.datetime], None]] = []
        # Called, likewise, when one part of a split payment is paid (payment id, part number, now).
        self.part_listeners: list[Callable[[int, int, dt.datetime], None]] = []

    # ----- events -------------------------------------------------------
    def record_event(
        self,
        entity: str,
        entity_id: int,
        kind: str,
        actor: str,
        reason: str = "",
        from_state: str | None = None,
        to_state: str | None = None,
        data: dict[str, Any] | None = None,
        now: dt.datetime | None = None,
    ) -> None:
        store.insert(
            Event,
            dict(
                at=now or self.clock(),
                entity=entity,
                entity_id=entity_id,
                kind=kind,
                from_state=from_state,
                to_state=to_state,
                actor=actor,
                reason=reason,
                data=data,
            ),
        )
        if entity == "payment" and to_state:
            # A new payment is the API's busiest write, and its event row says it all: a log line for each
            # (written under the write lock) only at DEBUG. Every later state change is logged.
            level = logging.DEBUG if from_state is None else logging.INFO
            if log.isEnabledFor(level):
                log.log(level, "payment %s: %s -> %s by %s (%s)", entity_id, from_state, to_state, actor, plain(reason))
            for listener in self.payment_listeners:
                listener(entity_id, from_state, to_state, now or self.clock())

    def events_for(self, entity: str, entity_id: int) -> list[Event]:
        return list(
            Event.select().where((Event.entity == entity) & (Event.entity_id == entity_id)).order_by(Event.at, Event.id)
        )

    # ----- the box's secret ---------------------------------------------
    @property
    def secret(self) -> str:
        """The link-signing key of the box's database, which every box sharing it uses (a fleet).

        Kept in the store: the settings' key (older boxes wrote one) when the
        database has none yet, else a fresh one. A box whose settings name a
        different key is refused, since links made by the other boxes would be
        404 on it (and its links on them).
        """
        if self._secret is None:
            self._secret = self._database_link_key()
        return self._secret

    def _database_link_key(self) -> str:
        configured = self.settings.security.secret_key
        row = Meta.get_or_none(Meta.key == "secret_key")  # a plain read: every command starts with this
        if row is None:
            with store.write():  # once per database: the first box, or the first start after v0.1.0
                Meta.insert(key="secret_key", value=configured or new_secret_key()).on_conflict_ignore().execute()
                row = Meta.get(Meta.key == "secret_key")
        if configured and row.value != configured:
            raise ConfigError(
                [
                    "security.secret_key: differs from the payment-link key this database already uses (another "
                    "box of the fleet made it), so links of one box would be refused by the other; remove the "
                    "line (and CARTTOCART_SECRET_KEY) and this box uses the database's key"
                ],
                self.settings.source,
            )
        return str(row.value)

    def payment_link(self, payment_id: int, seen_as: str | None = None) -> str:
        """The signed payment page's address.

        ``server.public_url`` when set (what customers' phones reach); else the
        address the caller reached the box at (``seen_as``, e.g. the shop's
        request), else ``server.listen`` unless that is a wildcard address.
        """
        base = self.settings.server.public_url or seen_as
        if not base:
            host, _, port = self.settings.server.listen.rpartition(":")
            base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '[::]', '::') else host}:{port}"
        return f"{base.rstrip('/')}/pay/{payment_id}/{payment_link_signature(self.secret, payment_id)}"
