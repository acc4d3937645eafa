"""NUL characters in input are a 400 naming the parameter or field, never a database error."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_filter_with_a_nul_character_is_a_400_naming_it(client, demo, manager):
    client.force_login(manager)
    # SQLite takes the NUL and finds no such project; PostgreSQL refuses it: 400 either way.
    response = client.get("/api/v1/actions/", {"project": "grenzeloos\x00"})
    assert response.status_code == 400
    assert response.json()
    # A parameter an endpoint does not read stays ignored, NUL or not.
    detail = client.get("/api/v1/organisations/vdab/", {"no\x00such": "x\x00"})
    assert detail.status_code == 200
    page = client.get("/actions/", {"project": "x\x00"})
    assert page.status_code == 400
    assert page.content.decode() == "project: Null characters are not allowed."


def test_a_written_field_with_a_nul_character_is_a_400_naming_it(client, partner_vdab):
    client.force_login(partner_vdab)
    response = client.post(
        "/api/v1/jobseekers/",
        {"pes": "vd\x00ab", "external_ref": "A1"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"pes": ["Null characters are not allowed."]}
