"""An uploaded import file waits for its confirmation in the database, for its uploader only, and
is gone after a confirm, a failed confirm, a cancel, an hour, and the erasure of a jobseeker of
its PES; nothing of it is written to the temporary folder."""

from __future__ import annotations

import datetime
import io
import tempfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from crossborder.uploads.models import ImportPreview, PreviewKind
from crossborder.uploads.services import (
    preview_find,
    preview_store,
    previews_purge,
)
from participants.gdpr import jobseeker_erase
from participants.models import Participation
from tests.factories import (
    ActionFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)
from tests.participants.test_imports import GOOD_ROWS, HEADER, csv_file

pytestmark = pytest.mark.django_db

ROW = csv_file([HEADER, GOOD_ROWS[1]], delimiter=";", encoding="cp1252")


@pytest.fixture
def action(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return ActionFactory(project=project)


@pytest.fixture
def url(action):
    return reverse("admin:actions_action_import", args=[action.pk, "participations"])


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """The process's temporary folder, empty, to see what an import leaves in it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _upload(client, url: str, data: bytes = ROW) -> str:
    stream = io.BytesIO(data)
    stream.name = "zoe.csv"
    response = client.post(url, {"file": stream})
    assert response.status_code == 200
    return response.context["token"]


def _age(minutes: int) -> None:
    """Move every preview's upload `minutes` into the past (the clock moved on)."""
    for preview in ImportPreview.objects.all():
        preview.created_at -= datetime.timedelta(minutes=minutes)
        preview.save(update_fields=["created_at"])


def test_the_preview_keeps_the_file_in_the_database_not_in_the_temporary_folder(
    coordinator_client, url, action, coordinator, vdab, temp_dir
):
    token = _upload(coordinator_client, url)

    preview = ImportPreview.objects.get()
    assert (preview.token, preview.user, preview.action, preview.kind) == (
        token,
        coordinator,
        action,
        PreviewKind.PARTICIPATIONS,
    )
    assert (preview.pes, preview.filename, bytes(preview.content)) == (vdab, "zoe.csv", ROW)
    assert list(temp_dir.iterdir()) == []
    assert len(token) >= 40


def test_confirm_writes_and_deletes_the_file(coordinator_client, url, temp_dir):
    token = _upload(coordinator_client, url)

    response = coordinator_client.post(url, {"token": token, "confirm": "1"})

    assert response.status_code == 302
    assert Participation.objects.count() == 1
    assert not ImportPreview.objects.exists()
    assert list(temp_dir.iterdir()) == []


def test_a_failed_confirm_deletes_the_file_too(coordinator_client, url, action, vdab):
    token = _upload(coordinator_client, url)
    # Between preview and confirm, someone adds the same jobseeker to the action.
    ParticipationFactory(
        action=action,
        jobseeker=JobseekerFactory(
            pes=vdab, external_ref="V-002", given_name="Zoë", family_name="Vandenbroucke"
        ),
    )

    response = coordinator_client.post(url, {"token": token, "confirm": "1"})

    assert response.status_code == 200
    assert "nothing was written" in response.content.decode()
    assert Participation.objects.count() == 1
    assert not ImportPreview.objects.exists()
    again = coordinator_client.post(url, {"token": token, "confirm": "1"})
    assert "The previewed file has expired; upload it again." in again.content.decode()


def test_cancel_deletes_the_file_and_writes_nothing(coordinator_client, url, action):
    stream = io.BytesIO(ROW)
    stream.name = "zoe.csv"
    preview = coordinator_client.post(url, {"file": stream})
    token = preview.context["token"]
    assert 'name="cancel"' in preview.content.decode()

    response = coordinator_client.post(url, {"token": token, "cancel": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "admin:actions_action_change", args=[action.pk]
    )
    assert "Import cancelled: nothing was written." in response.content.decode()
    assert not ImportPreview.objects.filter(token=token).exists()
    assert not Participation.objects.exists()


def test_cancel_without_a_preview_is_harmless(coordinator_client, url):
    response = coordinator_client.post(url, {"token": "no-such-token", "cancel": "1"})

    assert response.status_code == 302
    assert not ImportPreview.objects.exists()


def test_after_an_hour_the_preview_has_expired_on_read(coordinator_client, url):
    token = _upload(coordinator_client, url)
    _age(61)

    response = coordinator_client.post(url, {"token": token, "confirm": "1"})

    assert "The previewed file has expired; upload it again." in response.content.decode()
    assert not ImportPreview.objects.exists()
    assert not Participation.objects.exists()


def test_within_the_hour_the_preview_still_confirms(coordinator_client, url):
    token = _upload(coordinator_client, url)
    _age(59)

    assert coordinator_client.post(url, {"token": token, "confirm": "1"}).status_code == 302
    assert Participation.objects.count() == 1


def test_the_lifetime_is_a_setting(coordinator_client, url, settings):
    settings.IMPORT_PREVIEW_LIFETIME = 5
    token = _upload(coordinator_client, url)
    _age(6)

    assert coordinator_client.post(url, {"token": token, "confirm": "1"}).status_code == 200
    assert not ImportPreview.objects.exists()


def test_the_purge_command_deletes_only_expired_previews(coordinator_client, url, capsys):
    _upload(coordinator_client, url)
    _age(61)
    fresh = _upload(coordinator_client, url)
    # The second upload already swept the expired one.
    assert list(ImportPreview.objects.values_list("token", flat=True)) == [fresh]
    _upload(coordinator_client, url)
    _age(61)

    call_command("purge_import_previews")

    assert not ImportPreview.objects.exists()
    assert "Deleted 2 import preview(s) older than 60 minutes." in capsys.readouterr().out
    call_command("purge_import_previews")
    assert "Deleted 0 import preview(s)" in capsys.readouterr().out


def test_a_preview_is_confirmed_only_by_its_uploader(
    coordinator_client, url, client, django_user_model, vdab
):
    token = _upload(coordinator_client, url)
    preview = ImportPreview.objects.get()
    other = django_user_model.objects.create_superuser("root", "root@example.org", "pw")

    found = preview_find(
        user=other, token=token, action_id=preview.action_id, kind="participations"
    )
    assert found is None
    client.force_login(other)
    response = client.post(url, {"token": token, "confirm": "1"})
    assert "The previewed file has expired; upload it again." in response.content.decode()
    assert not Participation.objects.exists()
    assert ImportPreview.objects.filter(token=token).exists()


def test_erasure_deletes_the_pending_previews_of_the_pes(
    coordinator, action, vdab, le_forem, django_user_model
):
    def store(pes, kind=PreviewKind.PARTICIPATIONS):
        return preview_store(
            user=coordinator,
            action_id=action.pk,
            kind=kind,
            pes_id=pes.pk if pes else None,
            filename="list.csv",
            update_existing=False,
            content=ROW,
        )

    of_vdab, of_everyone, of_le_forem = store(vdab), store(None), store(le_forem)
    figures = store(None, PreviewKind.FIGURES)
    jobseeker = JobseekerFactory(pes=vdab)

    jobseeker_erase(jobseeker=jobseeker)

    assert set(ImportPreview.objects.values_list("pk", flat=True)) == {of_le_forem.pk, figures.pk}
    assert not ImportPreview.objects.filter(pk__in=[of_vdab.pk, of_everyone.pk]).exists()


def test_purge_with_nothing_pending_deletes_nothing():
    assert previews_purge() == 0
