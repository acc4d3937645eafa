"""/api/v1/tokens/ and the Token header: a key shown once and hashed at rest, refused once
expired or revoked (with the reason), each user's tokens its own."""

from __future__ import annotations

import datetime
import hashlib
from unittest import mock

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from crossborder.accounts.models import ApiToken
from crossborder.accounts.tokens import api_token_create
from tests.factories import UserFactory
from tests.helpers import assert_db_refuses

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/tokens/"


@pytest.fixture
def superuser(db: None):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_token_is_made_with_its_key_shown_once_and_only_its_hash_kept(partner_vdab):
    response = signed_in(partner_vdab).post(TOKENS, {"name": "nightly import"}, format="json")

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    key = body["key"]
    assert key.startswith("cb_") and len(key) == 46
    token = ApiToken.objects.get()
    assert body == {
        "id": token.pk,
        "name": "nightly import",
        "prefix": key[:11],
        "created_at": body["created_at"],
        "expires_at": body["expires_at"],
        "last_used_at": None,
        "revoked_at": None,
        "status": "active",
        "key": key,
    }
    assert token.expires_at - token.created_at == datetime.timedelta(days=90)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    # No column holds the key, nor its secret part.
    row = ApiToken.objects.values().get()
    assert not [name for name, value in row.items() if key[11:] in str(value)]
    # Never shown again: not in the list, not in the token's own page.
    listed = signed_in(partner_vdab).get(TOKENS).json()["results"]
    assert [sorted(item) for item in listed] == [
        sorted(set(body) - {"key"}),
    ]
    assert key[11:] not in str(signed_in(partner_vdab).get(f"{TOKENS}{token.pk}/").content)


def test_the_key_authenticates_with_the_token_header(partner_vdab):
    _token, key = api_token_create(user=partner_vdab, name="ci")
    response = with_key(key).get("/api/v1/programmes/")
    assert response.status_code == 200
    # A token makes tokens too: renewing needs no password.
    response = with_key(key).post(TOKENS, {"name": "ci 2", "days": 7}, format="json")
    assert response.status_code == 201
    made = ApiToken.objects.get(name="ci 2")
    assert made.user == partner_vdab
    assert made.expires_at - made.created_at == datetime.timedelta(days=7)


def test_a_token_expires_after_its_lifetime(partner_vdab):
    token, key = api_token_create(user=partner_vdab, name="ci", days=30)
    later = token.created_at + datetime.timedelta(days=30)
    with mock.patch(
        "django.utils.timezone.now", return_value=later - datetime.timedelta(seconds=1)
    ):
        assert with_key(key).get(TOKENS).status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = with_key(key).get(TOKENS)
    assert response.status_code == 401
    assert response.json() == {"detail": "This token has expired: make a new one."}
    assert response["WWW-Authenticate"] == "Token"


def test_an_expired_token_is_listed_as_expired(partner_vdab):
    token, _key = api_token_create(user=partner_vdab, name="old")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert signed_in(partner_vdab).get(TOKENS).json()["results"][0]["status"] == "expired"


def test_a_revoked_token_is_refused_saying_so(partner_vdab):
    token, key = api_token_create(user=partner_vdab, name="ci")

    response = with_key(key).delete(f"{TOKENS}{token.pk}/")

    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == partner_vdab
    response = with_key(key).get(TOKENS)
    assert response.status_code == 401
    assert response.json() == {"detail": "This token was revoked: make a new one."}
    # Kept, and revoking again changes nothing.
    revoked_at = token.revoked_at
    response = signed_in(partner_vdab).delete(f"{TOKENS}{token.pk}/")
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    listed = signed_in(partner_vdab).get(TOKENS).json()["results"]
    assert [(item["name"], item["status"]) for item in listed] == [("ci", "revoked")]


def test_another_users_token_does_not_exist_for_a_user(partner_vdab, partner_le_forem, superuser):
    theirs, their_key = api_token_create(user=partner_le_forem, name="theirs")
    api_token_create(user=superuser, name="root's")
    mine, _key = api_token_create(user=partner_vdab, name="mine")
    client = signed_in(partner_vdab)

    assert [item["name"] for item in client.get(TOKENS).json()["results"]] == ["mine"]
    assert client.get(f"{TOKENS}{theirs.pk}/").status_code == 404
    assert client.delete(f"{TOKENS}{theirs.pk}/").status_code == 404
    assert with_key(their_key).get(TOKENS).status_code == 200
    # A superuser's API is its own tokens too; it revokes others' in the admin.
    root = signed_in(superuser)
    assert [item["name"] for item in root.get(TOKENS).json()["results"]] == ["root's"]
    assert root.delete(f"{TOKENS}{mine.pk}/").status_code == 404
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_tokens_are_for_users_with_a_role(stranger):
    assert APIClient().get(TOKENS).status_code == 401
    assert APIClient().post(TOKENS, {"name": "x"}, format="json").status_code == 401
    client = signed_in(stranger)
    response = client.get(TOKENS)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account has no role in Crossborder: ask a coordinator for one."
    }
    assert client.post(TOKENS, {"name": "x"}, format="json").status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
        ({"name": "   "}, {"name": ["This field may not be blank."]}),
        ({"name": "x" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
        ({"name": "ci", "days": 0}, {"days": ["A token lives from 1 to 365 days, not 0."]}),
        ({"name": "ci", "days": 366}, {"days": ["A token lives from 1 to 365 days, not 366."]}),
        ({"name": "ci", "days": -5}, {"days": ["A token lives from 1 to 365 days, not -5."]}),
        ({"name": "ci", "days": "soon"}, {"days": ["A valid integer is required."]}),
        ({"name": "ci\x00"}, {"name": ["Null characters are not allowed."]}),
        ({"name": "ci", "expires_at": "2099-01-01"}, {"expires_at": ["Unknown field."]}),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(partner_vdab, body, errors):
    response = signed_in(partner_vdab).post(TOKENS, body, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not ApiToken.objects.exists()


def test_a_name_in_use_is_refused_and_free_again_once_revoked(partner_vdab, partner_le_forem):
    token, _key = api_token_create(user=partner_vdab, name="ci")
    client = signed_in(partner_vdab)

    response = client.post(TOKENS, {"name": "ci"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "name": [
            "You already have a token named “ci”: choose another name, or revoke that token first."
        ]
    }
    # Another user's names are its own.
    assert (
        signed_in(partner_le_forem).post(TOKENS, {"name": "ci"}, format="json").status_code == 201
    )
    client.delete(f"{TOKENS}{token.pk}/")
    assert client.post(TOKENS, {"name": "ci"}, format="json").status_code == 201
    assert ApiToken.objects.filter(user=partner_vdab).count() == 2


def test_a_name_taken_at_the_same_moment_is_a_400(partner_vdab):
    api_token_create(user=partner_vdab, name="ci")
    # As if the other request wrote its token between this one's check and its write.
    with (
        mock.patch.object(ApiToken, "clean"),
        mock.patch.object(ApiToken, "validate_constraints"),
    ):
        response = signed_in(partner_vdab).post(TOKENS, {"name": "ci"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "The change conflicts with data written at the same time; send it again."
        ]
    }
    assert ApiToken.objects.count() == 1


def test_two_tokens_of_one_name_made_at_once_are_refused_by_the_database(partner_vdab):
    api_token_create(user=partner_vdab, name="ci")
    twin = ApiToken(
        user=partner_vdab,
        name="ci",
        prefix="cb_twin0000",
        digest="0" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert_db_refuses(twin, "api_token_name_unique_per_owner")


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Token garbage", "Invalid token."),
        ("Token cb_" + "A" * 43, "Invalid token."),
        ("Token cb_abc\x00def", "Invalid token."),
        ("Token " + "x" * 101, "Invalid token."),
        ("Token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
    ],
)
def test_a_bad_key_is_a_401_with_a_message(partner_vdab, header, detail):
    api_token_create(user=partner_vdab, name="ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(TOKENS)
    assert response.status_code == 401
    assert response.json() == {"detail": detail}


def test_a_key_with_a_known_prefix_but_another_secret_is_refused(partner_vdab):
    _token, key = api_token_create(user=partner_vdab, name="ci")
    forged = key[:11] + ("A" if key[11] != "A" else "B") + key[12:]
    response = with_key(forged).get(TOKENS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_an_inactive_users_token_is_refused(partner_vdab):
    _token, key = api_token_create(user=partner_vdab, name="ci")
    partner_vdab.is_active = False
    partner_vdab.save()
    assert with_key(key).get(TOKENS).json() == {"detail": "User inactive or deleted."}


def _token_updates(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_last_use_is_recorded_at_most_once_a_minute(partner_vdab):
    token, key = api_token_create(user=partner_vdab, name="ci")
    client = with_key(key)
    start = timezone.now()

    with (
        mock.patch("django.utils.timezone.now", return_value=start),
        CaptureQueriesContext(connection) as first,
    ):
        assert client.get("/api/v1/programmes/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == start
    assert len(_token_updates(first)) == 1

    within = start + datetime.timedelta(seconds=59)
    with (
        mock.patch("django.utils.timezone.now", return_value=within),
        CaptureQueriesContext(connection) as second,
    ):
        assert client.get("/api/v1/programmes/").status_code == 200
    assert _token_updates(second) == []
    assert len(second.captured_queries) == len(first.captured_queries) - 1
    token.refresh_from_db()
    assert token.last_used_at == start

    after = start + datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=after):
        assert client.get("/api/v1/programmes/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == after


def test_the_list_takes_the_same_queries_for_one_token_or_many(
    partner_vdab, django_assert_num_queries
):
    client = signed_in(partner_vdab)
    api_token_create(user=partner_vdab, name="one")
    # The session, the user, its roles, the count and the page.
    with django_assert_num_queries(5):
        assert len(client.get(TOKENS).json()["results"]) == 1
    for n in range(5):
        api_token_create(user=partner_vdab, name=f"more {n}")
    with django_assert_num_queries(5):
        assert len(client.get(TOKENS).json()["results"]) == 6


def test_the_empty_list(partner_vdab):
    assert signed_in(partner_vdab).get(TOKENS).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_the_schema_documents_the_tokens_and_their_answers(manager):
    schema = yaml.safe_load(signed_in(manager).get("/api/v1/schema/").content)
    tokens, token = schema["paths"]["/api/v1/tokens/"], schema["paths"]["/api/v1/tokens/{id}/"]
    assert sorted(tokens) == ["get", "post"]
    assert sorted(token) == ["delete", "get"]
    assert sorted(tokens["post"]["responses"]) == ["201", "400", "401", "403", "404", "429"]
    assert sorted(token["delete"]["responses"]) == ["204", "401", "403", "404", "429"]
    created = tokens["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/ApiTokenCreated"}
    assert "key" in schema["components"]["schemas"]["ApiTokenCreated"]["properties"]
    assert "key" not in schema["components"]["schemas"]["ApiToken"]["properties"]
    assert "expired or revoked" in token["get"]["responses"]["401"]["description"]
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
