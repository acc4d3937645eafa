"""The weekly digest of follow-ups due, mailed to each coordinator of a PES: once per ISO week."""

from __future__ import annotations

import datetime
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from participants import followups
from participants.followups import send_follow_up_digests
from participants.models import FollowUpDigest
from tests.conftest import _user_with_role

pytestmark = pytest.mark.django_db

D = datetime.date
MONDAY = D(2026, 9, 7)  # ISO week 2026-W37


@pytest.fixture
def due(left, le_forem):
    return {
        "late": left(D(2026, 6, 1), reference="VD-LATE"),
        "due": left(D(2026, 8, 31), reference="VD-DUE"),
        "soon": left(D(2026, 12, 1), reference="VD-SOON"),
        "other_pes": left(D(2026, 8, 31), pes=le_forem, reference="LF-DUE"),
    }


def run(as_of: datetime.date = MONDAY) -> str:
    out = StringIO()
    call_command("send_follow_up_digest", "--as-of", as_of.isoformat(), stdout=out)
    return out.getvalue()


def test_each_coordinator_gets_the_follow_ups_of_their_pes(due, coordinator, le_forem):
    other = _user_with_role("coordinator", le_forem, username="coordinator-lf")
    assert run() == "2 follow-up digest(s) sent for the week of 2026-09-07.\n"
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {coordinator.email, other.email}
    vdab_mail = by_recipient[coordinator.email]
    assert vdab_mail.subject == "Follow-ups due or overdue at VDAB: 2"
    assert vdab_mail.from_email == "crossborder@localhost"
    assert "VD-LATE" in vdab_mail.body and "VD-DUE" in vdab_mail.body
    assert "VD-SOON" not in vdab_mail.body and "LF-DUE" not in vdab_mail.body
    assert vdab_mail.body.index("VD-LATE") < vdab_mail.body.index("VD-DUE")
    assert f"Overdue · on leaving · due 2026-06-01 · VD-LATE · {due['late'].action.reference} " in (
        vdab_mail.body
    )
    # By reference only: no name leaves the site in a mail.
    assert due["late"].jobseeker.family_name not in vdab_mail.body
    assert "LF-DUE" in by_recipient[other.email].body
    digest = FollowUpDigest.objects.get(user=coordinator)
    assert (digest.week, digest.count) == ("2026-W37", 2)


def test_sent_once_a_week_even_when_run_twice(due, coordinator):
    assert send_follow_up_digests(as_of=MONDAY) == 1
    assert send_follow_up_digests(as_of=MONDAY) == 0
    assert send_follow_up_digests(as_of=MONDAY + datetime.timedelta(days=6)) == 0  # Sunday
    assert len(mail.outbox) == 1
    assert send_follow_up_digests(as_of=MONDAY + datetime.timedelta(days=7)) == 1
    assert len(mail.outbox) == 2
    assert list(FollowUpDigest.objects.values_list("week", flat=True).order_by("week")) == [
        "2026-W37",
        "2026-W38",
    ]


def test_nothing_due_no_mail(left, coordinator):
    left(D(2026, 12, 1))
    assert run() == "0 follow-up digest(s) sent for the week of 2026-09-07.\n"
    assert mail.outbox == []
    assert not FollowUpDigest.objects.exists()


def test_only_coordinators_with_an_email_address(due, coordinator, partner_vdab):
    coordinator.email = ""
    coordinator.save()
    assert send_follow_up_digests(as_of=MONDAY) == 0
    assert mail.outbox == []


def test_a_run_at_the_same_moment_does_not_send_twice(due, coordinator, monkeypatch):
    """Another run claims the week between this run's look and its claim: the unique
    constraint refuses this run's claim, and it sends nothing."""
    listed = followups.follow_ups_due

    def claimed_meanwhile(**kwargs):
        FollowUpDigest.objects.create(user=coordinator, week="2026-W37", count=2)
        return listed(**kwargs)

    monkeypatch.setattr(followups, "follow_ups_due", claimed_meanwhile)
    assert send_follow_up_digests(as_of=MONDAY) == 0
    assert mail.outbox == []
    assert FollowUpDigest.objects.count() == 1


def test_a_failed_mail_is_sent_by_the_next_run(due, coordinator, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(followups, "send_mail", broken)
    with pytest.raises(ConnectionRefusedError):
        send_follow_up_digests(as_of=MONDAY)
    assert not FollowUpDigest.objects.exists()
    monkeypatch.undo()
    assert send_follow_up_digests(as_of=MONDAY) == 1


def test_a_bad_day_is_refused():
    with pytest.raises(CommandError, match="is no day"):
        call_command("send_follow_up_digest", "--as-of", "next monday")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent runs need PostgreSQL: SQLite writes one transaction at a time",
)
def test_two_runs_at_once_send_one_digest(due, coordinator, monkeypatch):
    """Both runs look, find no digest of the week, and claim it: one claim waits on the
    other's row and, once that commits, hits the unique constraint; one mail goes out."""
    listed = followups.follow_ups_due
    both_looked = threading.Barrier(2, timeout=10)

    def after_both_looked(**kwargs):
        both_looked.wait()
        return listed(**kwargs)

    monkeypatch.setattr(followups, "follow_ups_due", after_both_looked)
    sent: list[int] = []

    def run_once() -> None:
        try:
            sent.append(send_follow_up_digests(as_of=MONDAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(sent) == [0, 1]
    assert len(mail.outbox) == 1
    assert FollowUpDigest.objects.count() == 1
