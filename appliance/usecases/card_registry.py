"""The merchant's cards: added, found, enabled or disabled; today's use against their daily ceilings."""

from __future__ import annotations

import datetime as dt

from appliance.domain.cards import InvalidCardNumber, bank_for_card, mask_card, normalize_card_number
from appliance.domain.errors import InvalidInput, NotFound
from appliance.domain.reasons import encode, reason
from appliance.sms.trust import account_matches
from appliance.store import database as store
from appliance.store.models import Card, Deposit
from appliance.usecases.core import TEHRAN, DepositState, UseCaseCore


class CardCases(UseCaseCore):
    def add_card(
        self,
        number: str,
        holder: str,
        bank: str | None = None,
        account: str | None = None,
        daily_limit_rial: int | None = None,
        daily_limit_count: int | None = None,
        actor: str = "operator",
    ) -> Card:
        try:
            number = normalize_card_number(number)
        except InvalidCardNumber as exc:
            raise InvalidInput(f"card number: {exc}") from None
        holder = holder.strip()
        if not holder:
            raise InvalidInput("the card holder's name is required (customers see it)")
        if daily_limit_rial is not None and daily_limit_rial <= 0:
            raise InvalidInput("--daily-limit must be a positive number of Rial")
        if daily_limit_count is not None and daily_limit_count <= 0:
            raise InvalidInput("--daily-count must be a positive number")
        known = bank_for_card(number)
        bank_name = bank or (known.name_fa if known else "")
        if not bank_name:
            raise InvalidInput("the bank is not known from this card's first six digits: give --bank")
        now = self.clock()
        with store.write():
            if Card.get_or_none(Card.number == number):
                raise InvalidInput(f"card {mask_card(number)} exists already")
            card = Card.create(
                number=number,
                holder=holder,
                bank=bank_name,
                account=account or None,
                daily_limit_rial=daily_limit_rial,
                daily_limit_count=daily_limit_count,
                active=True,
                created_at=now,
            )
            self.record_event(
                "card", card.id, "card_added", actor, encode(reason("card_masked", card=mask_card(number))), now=now
            )
        return card

    def find_card(self, ref: str) -> Card:
        """A card by id, full number, or its last four digits when that is unique."""
        digits = "".join(ch for ch in ref if ch.isdigit())
        query = Card.select()
        if ref.isdigit() and len(ref) < 8:
            matches = list(query.where((Card.id == int(ref)) | Card.number.endswith(ref)))
        else:
            matches = list(query.where(Card.number == digits))
        if len(matches) != 1:
            raise NotFound(f"no single card matches {ref!r} (give its id or full number)")
        return matches[0]

    def set_card_active(self, ref: str, active: bool, actor: str = "operator") -> Card:
        now = self.clock()
        with store.write():
            card = self.find_card(ref)
            if card.active != active:
                card.active = active
                card.save()
                self.record_event("card", card.id, "card_enabled" if active else "card_disabled", actor, now=now)
        return card

    def list_cards(self, active_only: bool = False) -> list[Card]:
        if active_only:
            return store.rows(Card, "SELECT * FROM card WHERE active = ? ORDER BY id", True)
        return store.rows(Card, "SELECT * FROM card ORDER BY id")

    def card_usage_today(self, now: dt.datetime | None = None) -> dict[int, tuple[int, int]]:
        """Per card: (sum, count) of today's deposits (the Tehran day), for the daily ceilings."""
        start = self._day_start(now or self.clock())
        # Only the day's range of the transfer_at index (0009) is read. Grouping by the bare column (or a
        # condition on it) lets SQLite walk the card_id index, every deposit ever made, for the grouping's
        # order; "+ 0" keeps it to the day's rows. Deposits to no card are skipped below.
        cursor = store.execute(
            "SELECT card_id + 0, SUM(amount), COUNT(*) FROM deposit WHERE transfer_at >= ? "
            "AND state NOT IN (?, ?) GROUP BY card_id + 0",
            start,
            DepositState.FOREIGN,
            DepositState.DISMISSED,
        )
        return {
            card_id: (int(total or 0), int(count)) for card_id, total, count in cursor.fetchall() if card_id is not None
        }

    @staticmethod
    def _day_start(now: dt.datetime) -> object:
        local = now.astimezone(TEHRAN).replace(hour=0, minute=0, second=0, microsecond=0)
        return Deposit.transfer_at.db_value(local)

    def offered_cards(self, price: int, now: dt.datetime) -> list[Card]:
        """Active cards still under their daily ceilings for a payment of ``price``."""
        cards = store.rows(Card, "SELECT * FROM card WHERE active = ? ORDER BY id", True)
        limited = any(c.daily_limit_rial is not None or c.daily_limit_count is not None for c in cards)
        usage = self.card_usage_today(now) if limited else {}  # the day's deposits are read only for a ceiling
        offered = []
        for card in cards:
            total, count = usage.get(card.id, (0, 0))
            if card.daily_limit_rial is not None and total + price > card.daily_limit_rial:
                continue
            if card.daily_limit_count is not None and count >= card.daily_limit_count:
                continue
            offered.append(card)
        return offered

    def get_card(self, card_id: int) -> Card:
        card = Card.get_or_none(Card.id == card_id)
        if card is None:
            raise NotFound(f"no card {card_id}")
        return card

    def cards_for_account(self, account: str | None) -> list[Card]:
        """The merchant cards an account (as an SMS or operator prints it) designates."""
        if not account:
            return []
        return [c for c in self.list_cards() if account_matches(account, c.number, c.account)]
