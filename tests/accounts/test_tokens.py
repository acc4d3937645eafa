"""API tokens: the services, the account page, the admin, the command and the migration of DRF's
tokens."""

from __future__ import annotations

import datetime
import hashlib
import io
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from crossborder.accounts.models import ApiToken, TokenStatus
from crossborder.accounts.tokens import api_token_authenticate, api_token_create, lifetime_days
from tests.factories import UserFactory
from tests.helpers import assert_db_refuses
from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tokens/"


@pytest.fixture
def superuser(db: None):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# The services.


def test_a_key_is_random_and_only_its_prefix_and_hash_are_kept(partner_vdab):
    first, key = api_token_create(user=partner_vdab, name="one")
    second, other = api_token_create(user=partner_vdab, name="two")

    assert key != other and first.prefix != second.prefix
    assert (first.prefix, first.digest) == (key[:11], hashlib.sha256(key.encode()).hexdigest())
    assert api_token_authenticate(key) == first
    assert str(first) == f"one ({key[:11]}…)"


def test_the_lifetime_is_read_from_the_settings(settings, partner_vdab):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    settings.API_TOKEN_MAX_LIFETIME_DAYS = 60
    token, _key = api_token_create(user=partner_vdab, name="ci")
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    assert lifetime_days(60) == 60
    with pytest.raises(ValidationError) as refused:
        lifetime_days(61)
    assert refused.value.message_dict == {"days": ["A token lives from 1 to 60 days, not 61."]}
    with pytest.raises(ValidationError) as refused:
        lifetime_days(True)
    assert refused.value.message_dict == {"days": ["Give the lifetime as a whole number of days."]}


def test_the_database_refuses_a_token_expiring_before_it_is_made_and_an_empty_name(
    partner_vdab,
):
    now = timezone.now()
    common = {"user": partner_vdab, "prefix": "cb_x", "digest": "0" * 64, "created_at": now}
    assert_db_refuses(
        ApiToken(name="ci", expires_at=now, **common), "api_token_expires_after_creation"
    )
    assert_db_refuses(
        ApiToken(name="", expires_at=now + datetime.timedelta(days=1), **common),
        "api_token_name_not_empty",
    )


def test_statuses(partner_vdab):
    token, _key = api_token_create(user=partner_vdab, name="ci")
    assert token.status_at(token.expires_at - datetime.timedelta(seconds=1)) == TokenStatus.ACTIVE
    assert token.status_at(token.expires_at) == TokenStatus.EXPIRED
    token.revoked_at = token.created_at
    assert token.status_at(token.created_at) == TokenStatus.REVOKED


# The account page.


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reports:login')}?next={PAGE}"
    response = client.post(PAGE, {"name": "ci"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_a_user_without_a_role_is_refused(client, stranger):
    client.force_login(stranger)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "ci"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_user_sees_only_its_own_tokens(
    client, partner_vdab, partner_le_forem, django_assert_num_queries
):
    api_token_create(user=partner_le_forem, name="theirs")
    used, _key = api_token_create(user=partner_vdab, name="nightly import")
    ApiToken.objects.filter(pk=used.pk).update(last_used_at=used.created_at)
    revoked, _key = api_token_create(user=partner_vdab, name="old laptop")
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    for n in range(3):
        api_token_create(user=partner_vdab, name=f"script {n}")
    client.force_login(partner_vdab)

    # The session, the user, its roles and the tokens, and the organisation and its kind (the
    # header's link to the follow-ups): the same for one token or many.
    with django_assert_num_queries(6):
        response = client.get(PAGE)

    assert response.status_code == 200
    names = [token.name for token, _status in response.context["tokens"]]
    assert names == ["script 2", "script 1", "script 0", "old laptop", "nightly import"]
    statuses = {token.name: status for token, status in response.context["tokens"]}
    assert statuses["old laptop"] == TokenStatus.REVOKED
    assert statuses["nightly import"] == TokenStatus.ACTIVE
    page = response.content.decode()
    assert "theirs" not in page
    assert f"{used.prefix}…" in page
    assert used.digest not in page
    assert "no-store" in response["Cache-Control"]
    # The navigation leads here.
    assert f'href="{PAGE}" aria-current="page"' in page


def test_the_empty_page(client, partner_vdab):
    client.force_login(partner_vdab)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "You have no API token yet." in response.content.decode()


def test_a_token_made_on_the_page_shows_its_key_once(client, partner_vdab):
    client.force_login(partner_vdab)

    response = client.post(PAGE, {"name": "nightly import", "days": "30"})

    assert response.status_code == 200
    token = ApiToken.objects.get()
    key = response.context["key"]
    assert key[:11] == token.prefix
    assert f'value="{key}"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/tokens/").status_code == 200
    # The next visit shows the token, not its key.
    page = client.get(PAGE).content.decode()
    assert "nightly import" in page
    assert key not in page and key[11:] not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "ci", "days": "0"}, "days", "A token lives from 1 to 365 days, not 0."),
        ({"name": "ci", "days": "400"}, "days", "A token lives from 1 to 365 days, not 400."),
        ({"name": "ci", "days": "soon"}, "days", "Enter a whole number."),
        ({"name": "ci\x00"}, "name", "Null characters are not allowed."),
        ({"name": "taken"}, "name", "You already have a token named “taken”"),
    ],
)
def test_bad_input_on_the_page_names_the_field(client, partner_vdab, data, field, message):
    api_token_create(user=partner_vdab, name="taken")
    client.force_login(partner_vdab)

    response = client.post(PAGE, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert response.context["key"] == ""
    assert ApiToken.objects.count() == 1


def test_a_name_taken_at_the_same_moment_is_refused_by_the_database(client, partner_vdab):
    api_token_create(user=partner_vdab, name="ci")
    client.force_login(partner_vdab)
    # As if the other request wrote its token between this one's check and its write.
    with (
        mock.patch.object(ApiToken, "clean"),
        mock.patch.object(ApiToken, "validate_constraints"),
    ):
        response = client.post(PAGE, {"name": "ci"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["A token of this name was made at the same moment: choose another name."]
    }
    assert ApiToken.objects.count() == 1


def test_a_token_is_revoked_after_a_confirmation(client, partner_vdab):
    token, key = api_token_create(user=partner_vdab, name="ci")
    client.force_login(partner_vdab)
    url = reverse("accounts:token-revoke", args=[token.pk])

    response = client.get(url)
    assert response.status_code == 200
    assert "Revoke the token “ci”" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None

    response = client.post(url, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert f"The token “ci” ({token.prefix}…) is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_by == partner_vdab
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/tokens/").status_code == 401


def test_another_users_token_cannot_be_revoked_on_the_page(client, partner_vdab, partner_le_forem):
    theirs, _key = api_token_create(user=partner_le_forem, name="ci")
    client.force_login(partner_vdab)
    url = reverse("accounts:token-revoke", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# The admin: every token, for superusers.


def test_a_superuser_sees_every_token_by_prefix_and_owner_but_never_its_hash(
    client, superuser, partner_vdab, partner_le_forem
):
    vdab, _key = api_token_create(user=partner_vdab, name="vdab import")
    forem, _key = api_token_create(user=partner_le_forem, name="forem import")
    client.force_login(superuser)

    page = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[vdab.pk]))

    for token in (vdab, forem):
        assert f"{token.prefix}…" in page
        assert token.user.username in page
        assert token.digest not in page
    assert detail.status_code == 200
    assert vdab.digest not in detail.content.decode()
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    assert client.get(reverse("admin:accounts_apitoken_delete", args=[vdab.pk])).status_code == 403
    client.post(reverse("admin:accounts_apitoken_change", args=[vdab.pk]), {"name": "renamed"})
    vdab.refresh_from_db()
    assert vdab.name == "vdab import"


def test_a_superuser_revokes_tokens_with_an_admin_action(client, superuser, partner_vdab):
    token, key = api_token_create(user=partner_vdab, name="ci")
    kept, _key = api_token_create(user=partner_vdab, name="kept")
    client.force_login(superuser)

    response = client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )

    assert "1 token revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_by == superuser
    kept.refresh_from_db()
    assert kept.revoked_at is None
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/tokens/").status_code == 401
    filtered = client.get(reverse("admin:accounts_apitoken_changelist"), {"status": "revoked"})
    assert [t.pk for t in filtered.context["cl"].result_list] == [token.pk]


def test_staff_who_are_not_superusers_do_not_see_the_tokens(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 403
    assert "apitoken" not in client.get(reverse("admin:index")).content.decode()


# The command.


def test_the_command_prints_the_key_alone_and_the_key_works(partner_vdab):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token", "partner-vdab", "--name", "ci", "--days", "3", stdout=out, stderr=err
    )

    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert out.getvalue() == f"{key}\n"
    assert token.prefix == key[:11] and token.name == "ci"
    assert token.expires_at - token.created_at == datetime.timedelta(days=3)
    assert f"({token.prefix}…)" in err.getvalue() and key not in err.getvalue()
    assert api_token_authenticate(key) == token


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "--name", "ci"], "No user named “nobody”."),
        (["partner-vdab", "--name", "taken"], "--name: You already have a token named “taken”"),
        (["partner-vdab", "--name", "ci", "--days", "0"], "--days: A token lives from 1 to 365"),
        (["partner-vdab", "--name", " "], "--name: This field cannot be blank."),
    ],
)
def test_the_command_refuses_bad_input_naming_it(partner_vdab, args, message):
    api_token_create(user=partner_vdab, name="taken")
    with pytest.raises(CommandError) as refused:
        call_command("create_api_token", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert str(refused.value).startswith(message)
    assert ApiToken.objects.count() == 1


# The migration of DRF's tokens.

BEFORE = [("accounts", "0001_api_tokens")]
AFTER = [("accounts", "0002_hash_drf_tokens")]


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _drf_tokens(rows: list[tuple[str, int, datetime.datetime]]) -> None:
    """DRF's table as `rest_framework.authtoken` made it, with these keys, and its migrations
    on record."""
    datetime_type = connection.data_types["DateTimeField"]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {quote('authtoken_token')} ({quote('key')} varchar(40) NOT NULL "
            f"PRIMARY KEY, {quote('created')} {datetime_type} NOT NULL, "
            f"{quote('user_id')} integer NOT NULL UNIQUE)"
        )
        for key, user_id, created in rows:
            cursor.execute(
                f"INSERT INTO {quote('authtoken_token')} VALUES (%s, %s, %s)",
                [key, connection.ops.adapt_datetimefield_value(created), user_id],
            )
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)",
            ["authtoken", "0001_initial", connection.ops.adapt_datetimefield_value(timezone.now())],
        )


@pytest.mark.django_db(transaction=True)
def test_drf_tokens_become_hashed_tokens_that_keep_working_and_their_table_goes():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    created = datetime.datetime(2024, 3, 1, 9, 30, tzinfo=datetime.UTC)
    alice_key, bob_key = "0123456789abcdef0123456789abcdef01234567", "f" * 40
    try:
        migrate(BEFORE)
        _drf_tokens([(alice_key, alice.pk, created), (bob_key, bob.pk, created)])
        migrate(AFTER)
        before_tables = connection.introspection.table_names()
    finally:
        migrate(AFTER)

    assert "authtoken_token" not in before_tables
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = %s", ["authtoken"])
        assert cursor.fetchone()[0] == 0
    tokens = {token.user.username: token for token in ApiToken.objects.select_related("user")}
    assert sorted(tokens) == ["alice", "bob"]
    alice_token = tokens["alice"]
    assert (alice_token.name, alice_token.prefix, alice_token.created_at) == (
        "migrated",
        alice_key[:11],
        created,
    )
    assert alice_token.digest == hashlib.sha256(alice_key.encode()).hexdigest()
    lifetime = alice_token.expires_at - timezone.now()
    assert datetime.timedelta(days=89) < lifetime <= datetime.timedelta(days=90)
    row = ApiToken.objects.values().get(pk=alice_token.pk)
    assert alice_key not in [str(value) for value in row.values()]
    # The partners' systems keep their keys.
    client = APIClient(HTTP_AUTHORIZATION=f"Token {alice_key}")
    assert client.get("/api/v1/tokens/").status_code == 403  # alice has no role, but is known
    assert api_token_authenticate(bob_key) == tokens["bob"]


@pytest.mark.django_db(transaction=True)
def test_a_database_without_drf_tokens_is_left_as_it_is():
    try:
        migrate(BEFORE)
        migrate(AFTER)
    finally:
        migrate(AFTER)
    assert not ApiToken.objects.exists()


# The settings.


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"API_TOKEN_LIFETIME_DAYS": "0"}, "API_TOKEN_LIFETIME_DAYS must be from 1 to"),
        (
            {"API_TOKEN_LIFETIME_DAYS": "400"},
            "API_TOKEN_LIFETIME_DAYS must be from 1 to API_TOKEN_MAX_LIFETIME_DAYS (365), not 400.",
        ),
        (
            {"API_TOKEN_LIFETIME_DAYS": "90", "API_TOKEN_MAX_LIFETIME_DAYS": "30"},
            "API_TOKEN_MAX_LIFETIME_DAYS (30), not 90.",
        ),
    ],
)
def test_a_lifetime_out_of_bounds_stops_start_up(env, message):
    result = load_settings(DEBUG="true", **env)
    assert result.returncode != 0
    assert message in result.stderr
