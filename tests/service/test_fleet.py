"""The fleet's records on both stores: heartbeats, quiet boxes, a clashing id, parts kept apart per box."""

from __future__ import annotations

import dataclasses

from appliance.store.models import SmsMessage, SmsPart
from appliance.usecases.fleet import QUIET_AFTER, Fleet, box_identity, default_box_id
from appliance.usecases.sms_intake import Concat, SmsIngest, build_reader
from tests.conftest import make_settings
from tests.service.test_ingest import part


def _fleet(service, clock, box_id: str) -> Fleet:
    settings = dataclasses.replace(service.settings, box=dataclasses.replace(service.settings.box, id=box_id))
    return Fleet(settings, "0.2.0", clock)


def test_heartbeats_list_every_box_and_tell_which_has_gone_quiet(service, clock):
    a, b = _fleet(service, clock, "shop-a"), _fleet(service, clock, "shop-b")
    a.heartbeat()
    b.heartbeat()
    assert [row["box"] for row in a.boxes()] and {row["box"] for row in a.boxes()} == {"shop-a", "shop-b"}
    clock.advance(seconds=QUIET_AFTER.total_seconds() + 1)
    a.heartbeat()  # b has stopped
    listed = {row["box"]: row for row in a.boxes()}
    assert not listed["shop-a"]["quiet"] and listed["shop-a"]["this_box"]
    assert listed["shop-b"]["quiet"] and listed["shop-b"]["seconds_ago"] == int(QUIET_AFTER.total_seconds()) + 1
    assert listed["shop-b"]["version"] == "0.2.0" and a.clash is None


def test_two_running_boxes_with_one_id_are_reported(service, clock):
    first, second = _fleet(service, clock, "shop"), _fleet(service, clock, "shop")
    first.heartbeat()
    clock.advance(seconds=30)
    second.heartbeat()
    clock.advance(seconds=30)
    first.heartbeat()
    assert first.clash and "another running box uses the id 'shop'" in first.clash
    clock.advance(seconds=30)
    first.heartbeat()  # the other stopped: nobody wrote since our last beat
    assert first.clash is None


def test_a_restarted_box_is_no_clash(service, clock):
    _fleet(service, clock, "shop").heartbeat()
    clock.advance(seconds=5)
    again = _fleet(service, clock, "shop")  # the same box after a restart
    again.heartbeat()
    assert again.clash is None and len(again.boxes()) == 1


def test_the_box_id_defaults_to_the_host_name(sqlite_url):
    settings = make_settings(sqlite_url)
    assert box_identity(settings) and len(box_identity(settings)) <= 40
    assert box_identity(make_settings(sqlite_url, box={"id": "shop-a"})) == "shop-a"
    assert default_box_id() != default_box_id()  # two boxes flashed alike still differ


def test_parts_of_one_reference_from_two_boxes_are_not_joined(two_cards, clock):
    ingest = SmsIngest(two_cards, build_reader(two_cards.settings), clock)
    halves = ("حساب6204718359\nواریز120,010\n", "مانده49,000,000\n05/09/10-10:00")
    # Box a got part 1 of reference 9 and box b got part 2 of its own reference 9, from the same sender.
    for box, seq in (("a", 1), ("b", 2)):
        raw = part(halves[seq - 1], clock, concat=Concat(9, 2, seq, 8), index=seq)
        ingest.store_part(dataclasses.replace(raw, box=box))
    assert {p.box for p in SmsPart.select()} == {"a", "b"}
    clock.advance(minutes=two_cards.settings.sms.multipart_timeout_minutes + 1)
    ingest.process_ready()
    messages = list(SmsMessage.select().order_by(SmsMessage.id))
    assert [(m.parts_present, m.parts_expected) for m in messages] == [(1, 2), (1, 2)]  # each box: its half only
    assert {m.origin for m in messages} == {"a/m1", "b/m1"}
