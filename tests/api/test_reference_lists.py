"""The reference lists a partner reads before it writes: sectors, certificates, offices and pairs
of border offices. Read-only for every role, by slug (pairs by id), names in the request's
language and in each, a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import pytest

from actions.models import Sector
from projects.models import BorderOfficePair
from tests.factories import CertificateFactory, OfficeFactory, PesFactory, SectorFactory

pytestmark = pytest.mark.django_db

LISTS = ["sectors", "certificates", "offices", "border-office-pairs"]


@pytest.fixture
def agro_food(db: None):
    return SectorFactory(
        slug="agro-food", name_en="agro-food", name_nl="voeding", name_fr="agroalimentaire"
    )


@pytest.fixture
def caces(db: None):
    return CertificateFactory(
        slug="caces",
        name_en="CACES forklift",
        name_nl="CACES heftruck",
        name_fr="CACES chariot élévateur",
        country="FR",
    )


@pytest.fixture
def veurne_dunkerque(vdab, pole_emploi):
    veurne = OfficeFactory(slug="vdab-veurne", organisation=vdab, name="VDAB Veurne", city="Veurne")
    dunkerque = OfficeFactory(
        slug="pe-dunkerque", organisation=pole_emploi, name="PE Dunkerque", city="Dunkerque"
    )
    return BorderOfficePair.objects.create(office=dunkerque, partner_office=veurne)


# Who reads them.


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 200),
        ("partner_le_forem", 200),
        ("coordinator", 200),
        ("superuser", 200),
    ],
)
def test_who_reads_the_reference_lists(request, client_for, resource, user, expected):
    api = client_for(None if user == "anonymous" else request.getfixturevalue(user))
    assert api.get(f"/api/v1/{resource}/").status_code == expected


@pytest.mark.parametrize("resource", LISTS)
def test_the_reference_lists_are_empty_without_records(client_for, manager, resource):
    response = client_for(manager).get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (0, [])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/sectors/"),
        ("patch", "/api/v1/sectors/agro-food/"),
        ("delete", "/api/v1/sectors/agro-food/"),
        ("post", "/api/v1/certificates/"),
        ("delete", "/api/v1/certificates/caces/"),
        ("post", "/api/v1/offices/"),
        ("patch", "/api/v1/offices/vdab-veurne/"),
        ("post", "/api/v1/border-office-pairs/"),
    ],
)
def test_the_reference_lists_cannot_be_written(
    client_for, superuser, agro_food, caces, veurne_dunkerque, method, path
):
    response = getattr(client_for(superuser), method)(path, {"name": "x"}, format="json")
    assert response.status_code == 405
    assert Sector.objects.get().name == "agro-food"


# Sectors.


def test_a_sector_in_the_requests_language_and_in_each(client_for, manager, agro_food):
    api = client_for(manager)

    english = api.get("/api/v1/sectors/").json()["results"]
    french = api.get("/api/v1/sectors/agro-food/", HTTP_ACCEPT_LANGUAGE="fr").json()

    assert [{k: v for k, v in row.items() if k != "updated_at"} for row in english] == [
        {
            "id": agro_food.pk,
            "slug": "agro-food",
            "name": "agro-food",
            "name_en": "agro-food",
            "name_nl": "voeding",
            "name_fr": "agroalimentaire",
        }
    ]
    assert (french["name"], french["name_nl"]) == ("agroalimentaire", "voeding")


def test_a_sector_named_in_english_only_falls_back_to_it(client_for, manager):
    SectorFactory(slug="textiles", name_en="textiles", name_nl="", name_fr="")
    row = client_for(manager).get("/api/v1/sectors/textiles/", HTTP_ACCEPT_LANGUAGE="nl").json()
    assert (row["name"], row["name_nl"]) == ("textiles", "")


def test_an_unknown_sector_is_a_404(client_for, manager, agro_food):
    assert client_for(manager).get("/api/v1/sectors/construction/").status_code == 404


def test_sectors_are_searched_in_each_language(client_for, manager, agro_food):
    SectorFactory(slug="textiles", name_en="textiles", name_nl="textiel", name_fr="textile")
    api = client_for(manager)
    found = api.get("/api/v1/sectors/?search=voeding").json()["results"]
    assert [row["slug"] for row in found] == ["agro-food"]


def test_a_renamed_sector_is_read_afresh_from_the_cache(client_for, manager, agro_food):
    """The sectors' pages are cached by the data version, which a sector's save moves on."""
    api = client_for(manager)
    assert api.get("/api/v1/sectors/").json()["results"][0]["name_nl"] == "voeding"

    agro_food.name_nl = "agrovoeding"
    agro_food.save()

    assert api.get("/api/v1/sectors/").json()["results"][0]["name_nl"] == "agrovoeding"


# Certificates.


def test_a_certificate_with_its_country(client_for, manager, caces):
    CertificateFactory(slug="european-welder", name_en="European welder", country="")
    api = client_for(manager)

    french = api.get("/api/v1/certificates/?country=FR", HTTP_ACCEPT_LANGUAGE="fr").json()
    detail = api.get("/api/v1/certificates/caces/").json()

    assert [(row["slug"], row["name"], row["country"]) for row in french["results"]] == [
        ("caces", "CACES chariot élévateur", "FR")
    ]
    assert {k: v for k, v in detail.items() if k != "updated_at"} == {
        "id": caces.pk,
        "slug": "caces",
        "name": "CACES forklift",
        "name_en": "CACES forklift",
        "name_nl": "CACES heftruck",
        "name_fr": "CACES chariot élévateur",
        "country": "FR",
    }
    assert [row["slug"] for row in api.get("/api/v1/certificates/").json()["results"]] == [
        "caces",
        "european-welder",
    ]


def test_an_unknown_country_is_a_400_naming_it(client_for, manager, caces):
    response = client_for(manager).get("/api/v1/certificates/?country=XX")
    assert response.status_code == 400
    assert list(response.json()) == ["country"]


# Offices and pairs.


def test_offices_with_their_pes_and_city(client_for, manager, veurne_dunkerque):
    api = client_for(manager)

    rows = api.get("/api/v1/offices/").json()["results"]
    vdab_only = api.get("/api/v1/offices/?pes=vdab").json()["results"]
    in_dunkerque = api.get("/api/v1/offices/?city=dunkerque").json()["results"]

    assert [{k: v for k, v in row.items() if k != "updated_at"} for row in rows] == [
        {
            "id": veurne_dunkerque.office.pk,
            "slug": "pe-dunkerque",
            "name": "PE Dunkerque",
            "city": "Dunkerque",
            "pes": "pole-emploi",
        },
        {
            "id": veurne_dunkerque.partner_office.pk,
            "slug": "vdab-veurne",
            "name": "VDAB Veurne",
            "city": "Veurne",
            "pes": "vdab",
        },
    ]
    assert [row["slug"] for row in vdab_only] == ["vdab-veurne"]
    assert [row["slug"] for row in in_dunkerque] == ["pe-dunkerque"]
    assert api.get("/api/v1/offices/vdab-veurne/").json()["city"] == "Veurne"
    assert api.get("/api/v1/offices/vdab-ieper/").status_code == 404


def test_a_pair_names_both_offices_by_id_and_slug(client_for, manager, veurne_dunkerque):
    api = client_for(manager)
    pair = veurne_dunkerque

    detail = api.get(f"/api/v1/border-office-pairs/{pair.pk}/").json()

    assert {k: v for k, v in detail.items() if k != "updated_at"} == {
        "id": pair.pk,
        "office": {
            "id": pair.office.pk,
            "slug": "pe-dunkerque",
            "name": "PE Dunkerque",
            "city": "Dunkerque",
            "pes": "pole-emploi",
        },
        "partner_office": {
            "id": pair.partner_office.pk,
            "slug": "vdab-veurne",
            "name": "VDAB Veurne",
            "city": "Veurne",
            "pes": "vdab",
        },
    }
    assert api.get("/api/v1/border-office-pairs/").json()["results"] == [
        api.get(f"/api/v1/border-office-pairs/{pair.pk}/").json()
    ]


def test_pairs_filtered_by_an_office_or_a_pes_on_either_side(
    client_for, manager, veurne_dunkerque, vdab, pole_emploi
):
    ieper = OfficeFactory(slug="vdab-ieper", organisation=vdab, city="Ieper")
    armentieres = OfficeFactory(slug="pe-armentieres", organisation=pole_emploi, city="Armentières")
    other = BorderOfficePair.objects.create(office=armentieres, partner_office=ieper)
    api = client_for(manager)

    def ids(query: str) -> list[int]:
        return [
            row["id"] for row in api.get(f"/api/v1/border-office-pairs/?{query}").json()["results"]
        ]

    assert ids("office=vdab-veurne") == [veurne_dunkerque.pk]
    assert ids("office=pe-armentieres") == [other.pk]
    assert ids("pes=vdab") == [veurne_dunkerque.pk, other.pk]
    assert ids("pes=le-forem") == []
    assert ids("office=nowhere") == []


def test_an_unknown_or_malformed_pair_is_a_404(client_for, manager, veurne_dunkerque):
    api = client_for(manager)
    assert api.get(f"/api/v1/border-office-pairs/{veurne_dunkerque.pk + 1}/").status_code == 404
    assert api.get("/api/v1/border-office-pairs/abc/").status_code == 404


def test_the_lists_as_csv(client_for, manager, agro_food):
    response = client_for(manager).get("/api/v1/sectors/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "voeding" in response.content.decode("utf-8-sig")


# Queries.


def _make_references(first: int, count: int) -> None:
    for n in range(first, first + count):
        SectorFactory(slug=f"sector-{n}", name=f"Sector {n}")
        CertificateFactory(slug=f"certificate-{n}", name=f"Certificate {n}", country="BE")
        office = OfficeFactory(organisation=PesFactory(slug="vdab"))
        partner = OfficeFactory(organisation=PesFactory(slug="pole-emploi"))
        BorderOfficePair.objects.create(office=office, partner_office=partner)


@pytest.mark.parametrize(
    ("resource", "queries", "per_reference"),
    [
        # The user's roles, the data version, the count and the page.
        ("sectors", 4, 1),
        ("certificates", 4, 1),
        ("offices", 4, 2),
        # Not cached: no data version.
        ("border-office-pairs", 3, 1),
    ],
)
def test_the_reference_lists_query_a_fixed_number_of_times(
    client_for, manager, django_assert_num_queries, resource, queries, per_reference
):
    api = client_for(manager)
    _make_references(0, 2)
    with django_assert_num_queries(queries):
        assert api.get(f"/api/v1/{resource}/").json()["count"] == 2 * per_reference
    # The roles are kept on the user for its request; a client forced to it keeps the object.
    manager.__dict__.pop("_crossborder_roles")
    _make_references(2, 5)

    with django_assert_num_queries(queries):
        response = api.get(f"/api/v1/{resource}/?page_size=100")

    assert response.json()["count"] == 7 * per_reference
