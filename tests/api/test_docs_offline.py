"""The interactive API docs work on a server without internet: no asset from a CDN."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_swagger_ui_is_served_from_our_static_files(client, partner_vdab):
    client.force_login(partner_vdab)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"#]+)"', response.content.decode())
    assert assets
    # The page's start-up script comes from the page's own URL (no inline script under the
    # Content-Security-Policy), its styles from our static files.
    assert all(
        asset.startswith(("/static/drf_spectacular_sidecar/", "/static/css/"))
        or asset == "/api/v1/docs/?script="
        for asset in assets
    ), assets
    assert "<script>" not in response.content.decode()
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_the_docs_page_and_its_schema_load_with_the_session_alone(client, partner_vdab):
    # The page fetches the schema with the browser's session cookie: both answer the same user.
    client.force_login(partner_vdab)
    script = client.get("/api/v1/docs/?script=")
    assert '"/api/v1/schema/"' in script.content.decode()
    assert client.get("/api/v1/schema/").status_code == 200
    client.logout()
    assert client.get("/api/v1/docs/").status_code == 401
    assert client.get("/api/v1/docs/?script=").status_code == 401
