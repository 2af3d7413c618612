"""sd_notify over a real AF_UNIX datagram socket, as systemd listens for it."""

from __future__ import annotations

import os
import socket

import pytest

from appliance.box import systemd


@pytest.fixture
def notify_socket(tmp_path, monkeypatch):
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield sock
    sock.close()


def test_ready_watchdog_and_stopping_reach_systemd(notify_socket):
    assert systemd.ready("serving on 0.0.0.0:8080")
    assert notify_socket.recv(256) == b"READY=1\nSTATUS=serving on 0.0.0.0:8080"
    assert systemd.watchdog()
    assert notify_socket.recv(256) == b"WATCHDOG=1"
    assert systemd.stopping()
    assert notify_socket.recv(256) == b"STOPPING=1"


def test_outside_systemd_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert systemd.ready() is False


def test_a_vanished_socket_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))
    assert systemd.watchdog() is False
    assert "cannot notify systemd" in caplog.text


def test_the_watchdog_interval_is_systemds_and_only_for_this_process(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "120000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert systemd.watchdog_seconds() == 120.0
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert systemd.watchdog_seconds() is None
