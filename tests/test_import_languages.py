"""The imports speak the coordinator's language: VDAB's coordinators work in Dutch, those of
Le Forem and France Travail in French. Problems are written in the language of the import;
what the import does with each row, and its summary, in the language they are shown in."""

# The French of the catalogues writes its apostrophes as U+2019, which ruff takes for a typo.
# ruff: noqa: RUF001

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from actions.imports import import_figures
from actions.imports import template as figure_template
from crossborder.core import tabular
from crossborder.core.metrics import Metric
from participants.imports import import_participations
from projects.models import FormerName
from tests.factories import ActionFactory, FigureFactory, ProjectFactory, ProjectPartnerFactory
from tests.participants.test_imports import GOOD_ROWS, HEADER, csv_file, problems, xlsx_file

pytestmark = pytest.mark.django_db

FIGURE_HEADER = ["metric", "pes", "value", "lower_bound", "note"]


@pytest.fixture
def action(vdab, le_forem, pole_emploi):
    FormerName.objects.create(
        organisation=pole_emploi, name="Pôle emploi", used_until=datetime.date(2023, 12, 31)
    )
    return ActionFactory(reference="gt-2017-jobdating-veurne")


def good_participations() -> bytes:
    return csv_file([HEADER, *GOOD_ROWS], delimiter=";", encoding="cp1252")


# Participations.

BAD_ROWS = [
    HEADER,
    ["vdab", "V-1", "", "", "started", "31/02/2017", ""],
    ["Actiris", "A-1", "", "", "gestart", "", ""],
]
BAD_ROW_PROBLEMS = {
    "nl": [
        "Rij 2, kolom started_on: “31/02/2017” is geen datum; schrijf ze als 2017-11-28 of "
        "28/11/2017.",
        "Rij 3, kolom pes: “Actiris” is geen arbeidsbemiddelingsdienst; gebruik vdab, le-forem "
        "of pole-emploi.",
        "Rij 3, kolom status: “gestart” is geen status; gebruik interested, started, completed, "
        "dropped_out.",
    ],
    "fr": [
        "Ligne 2, colonne started_on : « 31/02/2017 » n’est pas une date ; écrivez-la sous la "
        "forme 2017-11-28 ou 28/11/2017.",
        "Ligne 3, colonne pes : « Actiris » n’est pas un SPE ; utilisez vdab, le-forem ou "
        "pole-emploi.",
        "Ligne 3, colonne status : « gestart » n’est pas un statut ; utilisez interested, "
        "started, completed, dropped_out.",
    ],
}


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_problems_of_a_participation_file_are_in_the_coordinators_language(action, language):
    with translation.override(language):
        result = import_participations(
            action=action, filename="lijst.xlsx", data=xlsx_file(BAD_ROWS), dry_run=False
        )
        found = problems(result)

    assert found == BAD_ROW_PROBLEMS[language]


# The state at entry and the follow-ups, after what came of the participation.
NEW_COLUMNS = (
    "entry_status, unemployment_duration, leaving_situation, leaving_checked_on, "
    "leaving_source, six_month_situation, six_month_checked_on, six_month_source"
)
REFUSED_FILES = [
    (
        "unknown-columns",
        "l.csv",
        b"pes;reference;kleur;maat\nvdab;1;x;y\n",
        {
            "nl": "Onbekende kolommen: kleur, maat. De kolommen zijn: action, pes, reference, "
            "given_name, family_name, birth_year, gender, education_level, refugee, status, "
            "started_on, completed_on, placed_on, hired_on, hired_by, certified_on, certificate, "
            f"{NEW_COLUMNS} (download het sjabloon).",
            "fr": "Colonnes inconnues : kleur, maat. Les colonnes sont : action, pes, reference, "
            "given_name, family_name, birth_year, gender, education_level, refugee, status, "
            "started_on, completed_on, placed_on, hired_on, hired_by, certified_on, certificate, "
            f"{NEW_COLUMNS} (téléchargez le modèle).",
        },
    ),
    (
        "missing-column",
        "l.csv",
        b"pes;status\nvdab;started\n",
        {
            "nl": "Ontbrekende kolom: reference. Voeg ze toe aan de eerste rij (download het "
            "sjabloon).",
            "fr": "Colonne manquante : reference. Ajoutez-la à la première ligne (téléchargez le "
            "modèle).",
        },
    ),
    (
        "not-a-spreadsheet",
        "lijst.ods",
        b"PK",
        {
            "nl": "“lijst.ods” is geen .xlsx- of .csv-bestand: sla het in Excel op als "
            "“Excel-werkmap (.xlsx)” of “CSV”.",
            "fr": "« lijst.ods » n’est ni un .xlsx ni un .csv : enregistrez-le depuis Excel comme "
            "« Classeur Excel (.xlsx) » ou « CSV ».",
        },
    ),
    (
        "no-rows",
        "l.csv",
        b"pes;reference;status\n",
        {
            "nl": "Het bestand heeft geen rijen onder de kolomnamen.",
            "fr": "Le fichier n’a aucune ligne sous les noms des colonnes.",
        },
    ),
]


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [refused[1:] for refused in REFUSED_FILES],
    ids=[refused[0] for refused in REFUSED_FILES],
)
@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_file_refused_as_a_whole_says_why_in_the_coordinators_language(
    action, language, filename, data, expected
):
    with translation.override(language):
        result = import_participations(action=action, filename=filename, data=data)
        found = problems(result)

    assert found == [expected[language]]


def test_a_coordinator_of_another_pes_is_told_whom_to_send_the_row_to(action, vdab):
    with translation.override("fr"):
        result = import_participations(
            action=action, filename="liste.csv", data=good_participations(), allowed_pes=vdab
        )
        found = problems(result)

    assert found == [
        "Ligne 2, colonne pes : vous ne pouvez importer que des demandeurs d’emploi de VDAB ; "
        "cette ligne est pour France Travail. Envoyez-la à un coordinateur de France Travail."
    ]


def test_outcomes_and_summary_are_in_the_language_they_are_shown_in(action):
    """Checked in Dutch, shown in French: the outcomes hold what happens, not its wording."""
    with translation.override("nl"):
        result = import_participations(
            action=action, filename="lijst.csv", data=good_participations()
        )

    def shown(language: str) -> tuple[list[tuple[int, str, str]], str]:
        with translation.override(language):
            outcomes = [(o.number, o.jobseeker, o.outcome) for o in result.outcomes]
            return outcomes, result.summary()

    assert shown("nl") == (
        [
            (2, "France Travail PE-001", "nieuwe werkzoekende, nieuwe deelname"),
            (3, "VDAB V-002", "nieuwe werkzoekende, nieuwe deelname"),
        ],
        "2 rijen: 2 nieuwe deelnames, 0 bijgewerkt.",
    )
    assert shown("fr") == (
        [
            (2, "France Travail PE-001", "nouveau demandeur d’emploi, nouvelle participation"),
            (3, "VDAB V-002", "nouveau demandeur d’emploi, nouvelle participation"),
        ],
        "2 lignes : 2 nouvelles participations, 0 mise à jour.",
    )


def test_a_known_participation_updated_is_counted_and_named_in_each_language(action):
    import_participations(
        action=action, filename="l.csv", data=good_participations(), dry_run=False
    )
    # The same jobseeker, now placed.
    one_row = csv_file(
        [HEADER, [*GOOD_ROWS[1][:6], "2017-12-15"]], delimiter=";", encoding="cp1252"
    )

    result = import_participations(
        action=action, filename="l.csv", data=one_row, update_existing=True
    )

    with translation.override("nl"):
        assert [o.outcome for o in result.outcomes] == ["gekende werkzoekende, deelname bijgewerkt"]
        assert result.summary() == "1 rij: 0 nieuwe deelnames, 1 bijgewerkt."
    with translation.override("fr"):
        assert [o.outcome for o in result.outcomes] == [
            "demandeur d’emploi connu, participation mise à jour"
        ]
        assert result.summary() == "1 ligne : 0 nouvelle participation, 1 mise à jour."
    assert result.summary() == "1 row: 0 new participations, 1 updated."


# Figures.


def test_the_problems_of_a_figures_file_are_in_the_coordinators_language(action):
    FigureFactory(action=action, pes=None, metric=Metric.HIRES, value=3)
    bad_cells = csv_file(
        [FIGURE_HEADER, ["vacancies", "", "-2", "", ""], ["vacancies", "", "5", "", ""]],
        delimiter=";",
        encoding="utf-8",
    )
    held = csv_file([FIGURE_HEADER, ["hires", "", "4", "", ""]], delimiter=";", encoding="utf-8")

    found = {}
    for language in ("nl", "fr"):
        with translation.override(language):
            found[language] = [
                *problems(import_figures(action=action, filename="f.csv", data=bad_cells)),
                *problems(import_figures(action=action, filename="f.csv", data=held)),
            ]

    assert found == {
        "nl": [
            "Rij 2, kolom value: -2 is negatief; een aantal is 0 of meer.",
            "Rij 3, kolom metric: vacancies zonder arbeidsbemiddelingsdienst staat ook op rij 2; "
            "behoud één rij per maatstaf en arbeidsbemiddelingsdienst.",
            "Rij 2, kolom value: de actie heeft al hires zonder arbeidsbemiddelingsdienst: 3. "
            "Vink “bestaande gegevens bijwerken” aan om het te vervangen, of verwijder de rij.",
        ],
        "fr": [
            "Ligne 2, colonne value : -2 est négatif ; un nombre est égal ou supérieur à 0.",
            "Ligne 3, colonne metric : vacancies sans SPE figure aussi à la ligne 2 ; gardez une "
            "ligne par mesure et par SPE.",
            "Ligne 2, colonne value : l’action a déjà hires sans SPE : 3. Cochez « mettre à jour "
            "les enregistrements existants » pour le remplacer, ou supprimez la ligne.",
        ],
    }


def test_figure_outcomes_and_summary_are_in_the_language_they_are_shown_in(action):
    FigureFactory(action=action, pes=None, metric=Metric.HIRES, value=3)
    rows = [FIGURE_HEADER, ["starts", "vdab", "11", "", ""], ["hires", "", "4", "ja", ""]]
    data = csv_file(rows, delimiter=";", encoding="utf-8")

    with translation.override("nl"):
        result = import_figures(action=action, filename="f.csv", data=data, update_existing=True)
        assert [(o.figure, o.outcome) for o in result.outcomes] == [
            ("starts VDAB: 11", "nieuw cijfer"),
            ("hires (geen arbeidsbemiddelingsdienst): 4", "cijfer bijgewerkt"),
        ]
        assert result.summary() == "2 rijen: 1 nieuw cijfer, 1 bijgewerkt."
    with translation.override("fr"):
        assert [o.outcome for o in result.outcomes] == ["nouveau chiffre", "chiffre mis à jour"]
        assert result.summary() == "2 lignes : 1 nouveau chiffre, 1 mis à jour."
    assert result.summary() == "2 rows: 1 new figure, 1 updated."


# The file as a whole, and the template.


def test_an_oversized_file_is_measured_in_the_readers_units(settings):
    settings.IMPORT_MAX_BYTES = 1024

    with translation.override("fr"), pytest.raises(tabular.FileRefused) as refused:
        tabular.check_size(1536 * 1024)

    assert refused.value.message == (
        "Le fichier fait 1,5 Mo ; la limite est de 1 Ko. Divisez-le en fichiers plus petits."
    )


def test_the_template_explains_its_columns_in_the_readers_language():
    with translation.override("nl"):
        workbook = load_workbook(io.BytesIO(figure_template("xlsx")))

    help_sheet = [[cell.value for cell in row] for row in workbook["columns"].iter_rows()]
    assert help_sheet[0] == ["kolom", "wat in te vullen"]
    assert help_sheet[4] == ["value", "verplicht: een geheel getal, 0 of meer"]
    # The column names are the file's, in every language.
    assert [cell.value for cell in workbook["import"][1]][:3] == ["action", "metric", "pes"]


# The admin, as a Flemish coordinator sees it.


def test_the_admin_preview_and_confirmation_are_in_dutch(client, coordinator, vdab, pole_emploi):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    action = ActionFactory(project=project)
    url = reverse("admin:actions_action_import", args=[action.pk, "participations"])
    client.force_login(coordinator)
    client.cookies["django_language"] = "nl"
    upload = io.BytesIO(csv_file([HEADER, GOOD_ROWS[1]], delimiter=";", encoding="cp1252"))
    upload.name = "lijst.csv"

    preview = client.post(url, {"file": upload})

    page = preview.content.decode()
    assert "Voorbeeld: er is nog niets opgeslagen" in page
    assert "<p>1 rij: 1 nieuwe deelname, 0 bijgewerkt.</p>" in page
    assert "<td>nieuwe werkzoekende, nieuwe deelname</td>" in page

    done = client.post(url, {"token": preview.context["token"], "confirm": "1"}, follow=True)

    assert "Lijst.csv geïmporteerd: 1 rij: 1 nieuwe deelname, 0 bijgewerkt." in (
        done.content.decode()
    )
