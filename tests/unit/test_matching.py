import datetime as dt

from appliance.domain.matching import Ambiguous, Candidate, DepositFacts, Matched, MatchRules, Unmatched, match
from appliance.domain.payments import State
from appliance.domain.reasons import parse, reason

T0 = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)
RULES = MatchRules(quarantine=dt.timedelta(hours=24), clock_skew=dt.timedelta(minutes=2))


def cand(
    pid: int,
    amount: int = 120010,
    state: State = State.PENDING,
    created: int = 0,
    expires: int = 15,
    cards=frozenset({1, 2}),
    payer=None,
) -> Candidate:
    return Candidate(
        pid,
        amount,
        state,
        T0 + dt.timedelta(minutes=created),
        T0 + dt.timedelta(minutes=expires),
        frozenset(cards),
        payer,
    )


def dep(minutes: float, amount: int = 120010, cards=None, payer=None) -> DepositFacts:
    return DepositFacts(amount, T0 + dt.timedelta(minutes=minutes), cards, payer)


def test_one_candidate_on_time_settles():
    result = match(dep(5), [cand(1)], RULES)
    assert result == Matched(1, late=False, payer_card_mismatch=False, reason="@on_time")
    assert parse(result.reason) == [reason("on_time")]


def test_judged_by_transfer_time_even_when_the_payment_already_expired():
    result = match(dep(14), [cand(1, state=State.EXPIRED)], RULES)
    assert isinstance(result, Matched) and not result.late


def test_transfer_after_deadline_within_quarantine_is_late():
    result = match(dep(60), [cand(1, state=State.EXPIRED)], RULES)
    assert isinstance(result, Matched) and result.late


def test_transfer_after_quarantine_matches_nothing():
    result = match(dep(15 + 24 * 60 + 1), [cand(1, state=State.EXPIRED)], RULES)
    assert isinstance(result, Unmatched) and parse(result.reason) == [reason("after_quarantine")]


def test_two_candidates_are_never_guessed():
    result = match(dep(5), [cand(1), cand(2, cards={3})], RULES)
    assert isinstance(result, Ambiguous) and result.payment_ids == (1, 2)


def test_destination_card_narrows_candidates():
    result = match(dep(5, cards=frozenset({3})), [cand(1), cand(2, cards={3})], RULES)
    assert isinstance(result, Matched) and result.payment_id == 2


def test_transfer_before_creation_is_not_this_payment():
    assert isinstance(match(dep(-10), [cand(1)], RULES), Unmatched)
    # within the clock skew (banks print minutes only) it still counts
    assert isinstance(match(dep(-1), [cand(1)], RULES), Matched)


def test_payer_card_mismatch_is_paid_but_flagged():
    result = match(dep(5, payer="603799******1111"), [cand(1, payer="6037991234567893")], RULES)
    assert isinstance(result, Matched) and result.payer_card_mismatch
    # no payer card in the SMS: never a failure
    result = match(dep(5), [cand(1, payer="6037991234567893")], RULES)
    assert isinstance(result, Matched) and not result.payer_card_mismatch


def test_paid_payments_are_not_candidates_and_near_ones_are_hints():
    near = [cand(7, amount=120020), cand(8, amount=120000 + 9000)]
    result = match(dep(5), [cand(1, state=State.VERIFIED)], RULES, near=near)
    assert isinstance(result, Unmatched)
    assert result.hints == (7, 8)
    assert parse(result.reason) == [reason("payment_is", state="verified")]
