"""The demo: every fact of written question 443 (2018) of the Flemish Parliament, as data.

The source is `shared/domain/parliamentary-answer-443-2018.nl.txt`; the brief beside it lists each
fact in English. Loading is idempotent: rows are found by their slug or reference and only saved
when something differs, so a second run writes nothing (not even audit-trail entries). Every text
is written in English, Dutch and French (modeltranslation's `_en`, `_nl` and `_fr` columns). Actions
and their figures, jobseekers and their participation records are written through their
services; the rows that have none (programmes, organisations, projects and their parts,
employers present, jobs, users) through _upsert, which checks each with full_clean() as the
admin's forms do.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import translation

from actions.models import Action, ActionEmployer, Certificate, Figure, JobOffer, Sector
from actions.services import action_create, action_update, figure_delete, figure_upsert
from crossborder.core.metrics import Metric
from crossborder.core.periods import Semester, semester_of
from crossborder.core.vocabulary import (
    ActionStatus,
    ActionType,
    OrganisationKind,
    ParticipationStatus,
)
from participants.models import (
    EducationLevel,
    EntryStatus,
    FollowUpSource,
    Gender,
    LeavingSituation,
    Participation,
    SixMonthSituation,
    UnemploymentDuration,
)
from participants.services import jobseeker_upsert, participation_upsert
from projects.models import (
    RULE_COUNTS,
    BorderOfficePair,
    FormerName,
    Indicator,
    IndicatorRule,
    IndicatorUnit,
    Membership,
    Office,
    Organisation,
    PartnerRole,
    Programme,
    Project,
    ProjectPartner,
    ReportingPeriod,
    Target,
    TargetKind,
    TransitionKind,
    WorkPackage,
)
from projects.periods import period_transition, periods_ensure
from projects.roles import COORDINATOR, MANAGER, PARTNER, ensure_roles

D = datetime.date
DEMO_PASSWORD = "crossborder-demo"

PROGRAMMES: list[dict[str, Any]] = [
    {
        "slug": "interreg-v-fwvl",
        "name_en": "Interreg V France-Wallonia-Flanders",
        "name_nl": "Interreg V Frankrijk-Wallonië-Vlaanderen",
        "name_fr": "Interreg V France-Wallonie-Vlaanderen",
        "starts_on": D(2014, 1, 1),
        "ends_on": D(2020, 12, 31),
    },
    {
        "slug": "interreg-vi-fwvl",
        "name_en": "Interreg VI France-Wallonia-Flanders",
        "name_nl": "Interreg VI Frankrijk-Wallonië-Vlaanderen",
        "name_fr": "Interreg VI France-Wallonie-Vlaanderen",
        "starts_on": D(2021, 1, 1),
        "ends_on": D(2027, 12, 31),
    },
]

# A text in the three languages of the site: (English, Dutch, French). Every text of the demo is
# written in all three, as a coordinator of each PES would write it; none is left in English.
Tr = tuple[str, str, str]
NO_TEXT: Tr = ("", "", "")

PES, PARTNER_ORG, COMPANY = OrganisationKind.PES, OrganisationKind.PARTNER, OrganisationKind.COMPANY
# slug, name, kind, country, territory, city, activity
ORGANISATIONS: list[tuple[str, str, str, str, str, str, Tr]] = [
    (
        "vdab",
        "VDAB",
        PES,
        "BE",
        "Flanders",
        "Brussel",
        (
            "public employment service of Flanders",
            "openbare dienst voor arbeidsbemiddeling van Vlaanderen",
            "service public de l'emploi de Flandre",
        ),
    ),
    (
        "le-forem",
        "Le Forem",
        PES,
        "BE",
        "Wallonia",
        "Charleroi",
        (
            "public employment service of Wallonia",
            "openbare dienst voor arbeidsbemiddeling van Wallonië",
            "service public de l'emploi de Wallonie",
        ),
    ),
    (
        "pole-emploi",
        "France Travail",
        PES,
        "FR",
        "Hauts-de-France",
        "",
        (
            "public employment service of France",
            "openbare dienst voor arbeidsbemiddeling van Frankrijk",
            "service public de l'emploi en France",
        ),
    ),
    (
        "ivr",
        "IVR",
        PARTNER_ORG,
        "BE",
        "",
        "",
        (
            "interregional trade-union council",
            "interregionale vakbondsraad",
            "conseil syndical interrégional",
        ),
    ),
    (
        "unizo",
        "UNIZO",
        PARTNER_ORG,
        "BE",
        "",
        "",
        ("employers' organisation", "werkgeversorganisatie", "organisation patronale"),
    ),
    (
        "voka",
        "Voka",
        PARTNER_ORG,
        "BE",
        "",
        "",
        ("employers' organisation", "werkgeversorganisatie", "organisation patronale"),
    ),
    (
        "mde-lys-tourcoing",
        "MDE Lys-Tourcoing",
        PARTNER_ORG,
        "FR",
        "",
        "Tourcoing",
        ("house of employment", "huis van de werkgelegenheid", "maison de l'emploi"),
    ),
    (
        "entreprendre-ensemble",
        "Entreprendre Ensemble",
        PARTNER_ORG,
        "FR",
        "",
        "Dunkerque",
        (
            "support towards employment and business creation",
            "begeleiding naar werk en ondernemerschap",
            "accompagnement vers l'emploi et la création d'entreprise",
        ),
    ),
    (
        "cobot",
        "COBOT",
        PARTNER_ORG,
        "BE",
        "",
        "",
        ("textiles training centre", "opleidingscentrum textiel", "centre de formation textile"),
    ),
    (
        "pti-kortrijk",
        "PTI Kortrijk",
        PARTNER_ORG,
        "BE",
        "",
        "Kortrijk",
        ("technical school (textiles)", "technische school (textiel)", "école technique (textile)"),
    ),
    (
        "conseil-regional-dunkerque",
        "Conseil régional de Dunkerque",
        PARTNER_ORG,
        "FR",
        "",
        "Dunkerque",
        ("public authority", "overheid", "autorité publique"),
    ),
    (
        "alimento",
        "Alimento",
        PARTNER_ORG,
        "BE",
        "",
        "",
        (
            "training fund of the food industry",
            "sectorfonds van de voedingsindustrie",
            "fonds de formation de l'industrie alimentaire",
        ),
    ),
    (
        "ghyvelde",
        "Commune de Ghyvelde",
        PARTNER_ORG,
        "FR",
        "",
        "Ghyvelde",
        ("municipality", "gemeente", "commune"),
    ),
    # The answer names no body that tests the forklift trainees for the CACES, only "a training
    # body from France": it is named by what it is, in French, as its French trainees know it.
    (
        "organisme-testeur-caces",
        "Organisme testeur CACES",
        PARTNER_ORG,
        "FR",
        "",
        "",
        (
            "French training body certified to test for the CACES",
            "Franse opleidingsorganisatie die voor het CACES mag testen",
            "organisme de formation français certifié pour faire passer le CACES",
        ),
    ),
    ("koraton", "Koraton", COMPANY, "BE", "", "Kortrijk", ("construction", "bouw", "construction")),
    (
        "vandeputte",
        "Vandeputte",
        COMPANY,
        "BE",
        "",
        "Mouscron",
        ("oil and soap", "olie en zeep", "huile et savon"),
    ),
    (
        "wepa",
        "Wepa",
        COMPANY,
        "FR",
        "",
        "Bousbecque",
        ("toilet paper", "toiletpapier", "papier toilette"),
    ),
]
FORMER_NAMES = [("pole-emploi", "Pôle emploi", D(2023, 12, 31))]

OFFICES = [
    ("vdab-veurne", "vdab", "VDAB Veurne", "Veurne"),
    ("vdab-ieper", "vdab", "VDAB Ieper", "Ieper"),
    ("vdab-kortrijk", "vdab", "VDAB Kortrijk", "Kortrijk"),
    # An office's name is the same in every language: the PES's name and the town's own.
    ("vdab-rekkem", "vdab", "VDAB Rekkem", "Rekkem"),
    ("pe-dunkerque", "pole-emploi", "Pôle emploi Dunkerque", "Dunkerque"),
    ("pe-armentieres", "pole-emploi", "Pôle emploi Armentières", "Armentières"),
    ("pe-wattrelos", "pole-emploi", "Pôle emploi Wattrelos", "Wattrelos"),
    ("pe-halluin", "pole-emploi", "Pôle emploi Halluin", "Halluin"),
]
# Question 5: the border offices that work closely together.
OFFICE_PAIRS = [
    ("pe-dunkerque", "vdab-veurne"),
    ("pe-armentieres", "vdab-ieper"),
    ("pe-wattrelos", "vdab-kortrijk"),
    ("pe-halluin", "vdab-kortrijk"),
]


@dataclass
class DemoWorkPackage:
    code: str
    name: Tr
    coordinator: str | None


@dataclass
class DemoProject:
    slug: str
    name: Tr
    summary: Tr
    starts_on: datetime.date | None
    partners: list[tuple[str, str]]
    work_packages: list[DemoWorkPackage] = field(default_factory=list)
    # Where the project stands when it has nothing realised to report yet (questions 3 and 4).
    state_note: Tr = NO_TEXT


PROJECTS = [
    DemoProject(
        "grenzeloos-tewerkstellen",
        ("Employment without borders", "Grenzeloos Tewerkstellen", "Emploi sans frontières"),
        (
            "Cross-border guidance cohorts, jobdatings, company visits and cross-border trainings.",
            "Grensoverschrijdende begeleidingsacties, jobdatings, bedrijfsbezoeken en opleidingen.",
            "Actions d'accompagnement, jobdatings, visites d'entreprise et formations "
            "transfrontalières.",
        ),
        None,
        [
            ("vdab", PartnerRole.PARTNER),
            ("le-forem", PartnerRole.PARTNER),
            ("pole-emploi", PartnerRole.PARTNER),
            ("ivr", PartnerRole.ASSOCIATED),
            ("unizo", PartnerRole.ASSOCIATED),
            ("voka", PartnerRole.ASSOCIATED),
            ("mde-lys-tourcoing", PartnerRole.ASSOCIATED),
        ],
    ),
    DemoProject(
        "grenzeloos-competent",
        ("Competences without borders", "Grenzeloos Competent", "Compétences sans frontières"),
        (
            "Cross-border trainings with a language part and a certificate recognised on both "
            "sides, for jobseekers and employees, in three key sectors: agro-food, (sustainable) "
            "construction and textiles; and a cross-border socio-economic observatory.",
            "Opleidingen met een taalcomponent en een grensoverschrijdend erkend certificaat, "
            "voor werkzoekenden en werknemers, in drie speerpuntsectoren: agrovoeding, "
            "(duurzaam) bouwen en textiel; en een grensoverschrijdend socio-economisch "
            "observatorium.",
            "Des formations avec un volet linguistique et un certificat reconnu des deux côtés de "
            "la frontière, pour les demandeurs d'emploi et les travailleurs, dans trois secteurs "
            "clés : l'agroalimentaire, la construction (durable) et le textile ; et un "
            "observatoire socio-économique transfrontalier.",
        ),
        None,
        [
            ("vdab", PartnerRole.PARTNER),
            ("le-forem", PartnerRole.PARTNER),
            ("pole-emploi", PartnerRole.PARTNER),
            ("entreprendre-ensemble", PartnerRole.PARTNER),
            ("cobot", PartnerRole.ASSOCIATED),
            ("pti-kortrijk", PartnerRole.ASSOCIATED),
            ("conseil-regional-dunkerque", PartnerRole.ASSOCIATED),
            ("alimento", PartnerRole.ASSOCIATED),
        ],
        [
            DemoWorkPackage(
                "WP-TRAINING",
                (
                    "Development of cross-border trainings",
                    "Ontwikkeling van grensoverschrijdende opleidingen",
                    "Développement de formations transfrontalières",
                ),
                "vdab",
            ),
            DemoWorkPackage(
                "WP-OBSERVATORY",
                (
                    "Cross-border socio-economic observatory",
                    "Grensoverschrijdend socio-economisch observatorium",
                    "Observatoire socio-économique transfrontalier",
                ),
                None,
            ),
        ],
    ),
    DemoProject(
        "actemploi",
        ("Act'emploi", "Act'emploi", "Act'emploi"),
        (
            "Low-qualified jobseekers into the care sector through cross-border training, job "
            "coaching and guidance.",
            "Laaggeschoolde werkzoekenden naar de zorgsector via grensoverschrijdende "
            "opleidingen, jobcoaching en begeleiding.",
            "Des demandeurs d'emploi peu qualifiés vers le secteur des soins par la formation "
            "transfrontalière, le coaching et l'accompagnement.",
        ),
        D(2018, 1, 1),
        [("vdab", PartnerRole.PARTNER)],
        state_note=(
            "The work packages are being worked out, but no French jobseekers have started yet; "
            "as the project is only starting, there are no figures yet on its inflow or effects. "
            "The focus is on personal services. VDAB is the only Flemish partner.",
            "De werkpakketten worden concreet uitgewerkt, maar er is nog geen instroom van Franse "
            "werkzoekenden; omdat het project nog in de startfase is, zijn er nog geen cijfers "
            "over de instroom of de effecten. De focus ligt vooral op de sector diensten aan "
            "personen. VDAB werkt als enige Vlaamse partner mee.",
            "Les lots de travail sont en cours d'élaboration, mais aucun demandeur d'emploi "
            "français n'a encore commencé ; le projet n'en étant qu'à son lancement, il n'y a pas "
            "encore de chiffres sur l'entrée ni sur les effets. L'accent est mis sur les services "
            "à la personne. Le VDAB est le seul partenaire flamand.",
        ),
    ),
    DemoProject(
        "ab-refugies",
        ("AB Réfugiés", "AB Réfugiés", "AB Réfugiés"),
        (
            "Fast and lasting labour-market entry of refugees: work-place learning, joint "
            "language courses, an app of job terms and employer awareness.",
            "Snelle en duurzame instroom van vluchtelingen op de arbeidsmarkt: werkplekleren, "
            "gemeenschappelijke taalopleidingen, een app met beroepstermen en sensibilisering "
            "van werkgevers.",
            "L'insertion rapide et durable des réfugiés sur le marché du travail : apprentissage "
            "sur le lieu de travail, cours de langue communs, une application de termes "
            "professionnels et sensibilisation des employeurs.",
        ),
        D(2018, 1, 1),
        [("vdab", PartnerRole.PARTNER)],
        state_note=(
            "The work packages are being worked out. On the Flemish side 6 refugees are "
            "interested in starting a guidance path, which starts in the coming weeks; as the "
            "project is only starting, there are no figures yet on its inflow or effects.",
            "De uitwerking van de werkpakketten is volop bezig. Aan Vlaamse zijde zijn 6 "
            "vluchtelingen geïnteresseerd om een begeleidingstraject op te starten, dat in de "
            "komende weken start; omdat het project nog in de startfase is, zijn er nog geen "
            "cijfers over de instroom of de effecten.",
            "L'élaboration des lots de travail bat son plein. Côté flamand, 6 réfugiés souhaitent "
            "commencer un parcours d'accompagnement, qui débute dans les semaines à venir ; le "
            "projet n'en étant qu'à son lancement, il n'y a pas encore de chiffres sur l'entrée "
            "ni sur les effets.",
        ),
    ),
]

SECTORS = [
    ("agro-food", "agro-food", "agrovoeding", "agroalimentaire"),
    ("construction", "construction", "bouw", "construction"),
    ("textiles", "textiles", "textiel", "textile"),
    (
        "personal-services",
        "care and personal services",
        "zorg en persoonlijke dienstverlening",
        "services à la personne",
    ),
    ("logistics", "logistics", "logistiek", "logistique"),
    ("industry", "industry", "industrie", "industrie"),
]
CERTIFICATES = [
    (
        "european-welder",
        "European welder certificate",
        "Europees attest lasser",
        "certificat européen de soudeur",
        "",
    ),
    (
        "caces",
        "CACES (forklift)",
        "CACES (heftruck)",
        "CACES (chariot élévateur)",
        "FR",
    ),
    (
        "be-forklift",
        "forklift certificate",
        "attest heftruckchauffeur",
        "attestation de cariste",
        "BE",
    ),
]


@dataclass
class DemoIndicator:
    code: str
    unit: str
    rule: str
    name: Tr
    definition: Tr


# Interreg and ESF+ common indicators that the actions feed (domain brief), each computed by
# its definition (IndicatorRule, reports/indicators.py); the definition says it in words, as
# the report and the API show it.
INDICATORS = [
    DemoIndicator(
        "RCO81",
        IndicatorUnit.PARTICIPATIONS,
        IndicatorRule.JOINT_ACTION_PARTICIPATIONS,
        (
            "Participations in joint actions across borders",
            "Deelnames aan gezamenlijke grensoverschrijdende acties",
            "Participations à des actions conjointes transfrontalières",
        ),
        (
            "The starts of jobseekers in the project's actions in which jobseekers take part "
            "(cohorts, jobdatings, company visits, fairs, trainings, discovery days, info "
            "sessions; not the staff seminars): one person in two actions counts twice. Visitors "
            "of a fair or an info session are reached, not participations.",
            "De starts van werkzoekenden in de acties van het project waaraan werkzoekenden "
            "deelnemen (trajecten, jobdatings, bedrijfsbezoeken, beurzen, opleidingen, "
            "ontdekkingsdagen, infosessies; niet de seminaries voor personeel): wie aan twee "
            "acties deelneemt, telt twee keer. Bezoekers van een beurs of een infosessie zijn "
            "bereikt, geen deelnames.",
            "Les démarrages de demandeurs d'emploi dans les actions du projet auxquelles des "
            "demandeurs d'emploi participent (accompagnements, jobdatings, visites d'entreprise, "
            "salons, formations, journées découverte, séances d'information ; pas les séminaires "
            "du personnel) : une personne dans deux actions compte deux fois. Les visiteurs d'un "
            "salon ou d'une séance d'information sont des personnes touchées, pas des "
            "participations.",
        ),
    ),
    DemoIndicator(
        "RCO85",
        IndicatorUnit.PARTICIPATIONS,
        IndicatorRule.TRAINING_PARTICIPATIONS,
        (
            "Participations in joint training schemes",
            "Deelnames aan gezamenlijke opleidingsprogramma's",
            "Participations à des programmes de formation conjoints",
        ),
        (
            "The starts of jobseekers in cross-border trainings: one person in two trainings "
            "counts twice.",
            "De starts van werkzoekenden in grensoverschrijdende opleidingen: wie twee "
            "opleidingen volgt, telt twee keer.",
            "Les démarrages de demandeurs d'emploi dans des formations transfrontalières : une "
            "personne dans deux formations compte deux fois.",
        ),
    ),
    DemoIndicator(
        "RCO115",
        IndicatorUnit.EVENTS,
        IndicatorRule.PUBLIC_EVENTS,
        (
            "Public events across borders jointly organised",
            "Gezamenlijk georganiseerde grensoverschrijdende publieke evenementen",
            "Événements publics transfrontaliers organisés conjointement",
        ),
        (
            "The job fairs and info sessions that took place, each counted once: events open to "
            "whoever comes by. Jobdatings and company visits take jobseekers selected for them, "
            "so they are no public events.",
            "De jobbeurzen en infosessies die plaatsvonden, elk één keer geteld: evenementen "
            "open voor wie langskomt. Jobdatings en bedrijfsbezoeken zijn voor geselecteerde "
            "werkzoekenden, dus geen publieke evenementen.",
            "Les salons de l'emploi et séances d'information réalisés, chacun compté une fois : "
            "des événements ouverts à qui passe. Les jobdatings et visites d'entreprise "
            "accueillent des demandeurs d'emploi sélectionnés : ce ne sont pas des événements "
            "publics.",
        ),
    ),
    DemoIndicator(
        "RCO87",
        IndicatorUnit.ORGANISATIONS,
        IndicatorRule.CROSS_BORDER_ORGANISATIONS,
        (
            "Organisations cooperating across borders",
            "Organisaties die grensoverschrijdend samenwerken",
            "Organisations coopérant par-delà les frontières",
        ),
        (
            "The project's partners and the organisers of its actions, each counted once, when "
            "they are of at least two countries; 0 when all are of one country.",
            "De partners van het project en de organisatoren van zijn acties, elk één keer "
            "geteld, als ze uit minstens twee landen komen; 0 als ze allemaal uit één land komen.",
            "Les partenaires du projet et les organisateurs de ses actions, chacun compté une "
            "fois, s'ils sont d'au moins deux pays ; 0 s'ils sont tous d'un seul pays.",
        ),
    ),
    DemoIndicator(
        "RCR81",
        IndicatorUnit.PARTICIPANTS,
        IndicatorRule.TRAINING_COMPLETIONS,
        (
            "Completion of joint training schemes",
            "Voltooiing van gezamenlijke opleidingsprogramma's",
            "Achèvement de programmes de formation conjoints",
        ),
        (
            "The jobseekers who completed a cross-border training, each counted once per training.",
            "De werkzoekenden die een grensoverschrijdende opleiding voltooiden, elk één keer "
            "per opleiding geteld.",
            "Les demandeurs d'emploi ayant terminé une formation transfrontalière, chacun compté "
            "une fois par formation.",
        ),
    ),
    DemoIndicator(
        "RCR85",
        IndicatorUnit.PARTICIPATIONS,
        IndicatorRule.PARTICIPATIONS_AFTER_PROJECT,
        (
            "Participations in joint actions across borders after project completion",
            "Deelnames aan gezamenlijke grensoverschrijdende acties na afloop van het project",
            "Participations à des actions conjointes transfrontalières après la fin du projet",
        ),
        (
            "The starts of jobseekers, counted as for RCO81, in actions that start after the "
            "project's end date.",
            "De starts van werkzoekenden, geteld zoals voor RCO81, in acties die na de einddatum "
            "van het project beginnen.",
            "Les démarrages de demandeurs d'emploi, comptés comme pour RCO81, dans des actions "
            "qui commencent après la date de fin du projet.",
        ),
    ),
    DemoIndicator(
        "EECR04",
        IndicatorUnit.PARTICIPANTS,
        IndicatorRule.EMPLOYED_ON_LEAVING,
        (
            "Participants in employment, including self-employment, upon leaving",
            "Deelnemers met werk, inclusief zelfstandigen, bij het verlaten",
            "Participants exerçant un emploi, y compris indépendant, au moment de la sortie",
        ),
        (
            "Participations of cohorts, trainings, jobdatings and company visits whose follow-up "
            "on leaving found the person in employment or self-employed. Follow-ups not due or "
            "not done yet are not yet known, never 0.",
            "Deelnames aan trajecten, opleidingen, jobdatings en bedrijfsbezoeken waarvan de "
            "opvolging bij het verlaten de persoon aan het werk of zelfstandig vond. Opvolgingen "
            "die nog niet vervallen of gedaan zijn, zijn nog niet bekend, nooit 0.",
            "Participations aux accompagnements, formations, jobdatings et visites d'entreprise "
            "dont le suivi à la sortie a trouvé la personne en emploi ou indépendante. Les suivis "
            "pas encore dus ou faits ne sont pas encore connus, jamais 0.",
        ),
    ),
    DemoIndicator(
        "EECR05",
        IndicatorUnit.PARTICIPANTS,
        IndicatorRule.EMPLOYED_SIX_MONTHS,
        (
            "Participants in employment, including self-employment, six months after leaving",
            "Deelnemers met werk, inclusief zelfstandigen, zes maanden na het verlaten",
            "Participants exerçant un emploi, y compris indépendant, six mois après la sortie",
        ),
        (
            "As on leaving, by the follow-up six months after leaving.",
            "Zoals bij het verlaten, volgens de opvolging zes maanden na het verlaten.",
            "Comme à la sortie, selon le suivi six mois après la sortie.",
        ),
    ),
    DemoIndicator(
        "EECR06",
        IndicatorUnit.PARTICIPANTS,
        IndicatorRule.BETTER_SITUATION_SIX_MONTHS,
        (
            "Participants with a better labour-market situation six months after leaving",
            "Deelnemers met een betere positie op de arbeidsmarkt zes maanden na het verlaten",
            "Participants dont la situation sur le marché du travail s'est améliorée six mois "
            "après la sortie",
        ),
        (
            "Participations whose follow-up six months after leaving found a better "
            "labour-market situation (a better job, more hours, a lasting contract).",
            "Deelnames waarvan de opvolging zes maanden na het verlaten een betere positie op de "
            "arbeidsmarkt vond (een betere baan, meer uren, een vast contract).",
            "Participations dont le suivi six mois après la sortie a trouvé une meilleure "
            "situation sur le marché du travail (un meilleur emploi, plus d'heures, un contrat "
            "durable).",
        ),
    ),
]
# Illustrative demo targets: the answer gives no targets, so these only show how targets and
# progress read. The public events (fairs, info sessions) are Grenzeloos Competent's.
TARGETS = [
    ("grenzeloos-tewerkstellen", "RCO81", TargetKind.MILESTONE, 2018, 150),
    ("grenzeloos-tewerkstellen", "RCO81", TargetKind.FINAL, 2020, 400),
    ("grenzeloos-competent", "RCO115", TargetKind.MILESTONE, 2018, 2),
    ("grenzeloos-competent", "RCO115", TargetKind.FINAL, 2020, 6),
    ("grenzeloos-tewerkstellen", "RCO87", TargetKind.FINAL, 2020, 8),
    ("grenzeloos-competent", "RCO85", TargetKind.MILESTONE, 2018, 40),
    ("grenzeloos-competent", "RCO85", TargetKind.FINAL, 2020, 120),
    ("grenzeloos-competent", "RCR81", TargetKind.FINAL, 2020, 90),
]


@dataclass
class DemoEmployer:
    organisation: str
    vacancies: int | None = None
    hires: int | None = None
    hired_within_days: int | None = None


@dataclass(frozen=True)
class DemoJobseeker:
    """A jobseeker of the demo, known at their PES by a reference (made up, like the names)."""

    pes: str
    external_ref: str
    given_name: str
    family_name: str
    birth_year: int
    gender: str
    education_level: str = ""
    is_refugee: bool | None = None


# A follow-up as recorded: (situation, the day it was known, where it was known from).
FollowUp = tuple[str, datetime.date, str]


@dataclass(frozen=True)
class DemoRecord:
    """A jobseeker's participation in a demo action: who took part at entry, what came of it
    and its follow-ups. A record of a started jobseeker starts on the action's first day."""

    jobseeker: DemoJobseeker
    status: str = ParticipationStatus.STARTED
    entry_status: str = ""
    unemployment_duration: str = ""
    placed_on: datetime.date | None = None
    on_leaving: FollowUp | None = None
    six_months: FollowUp | None = None


@dataclass
class DemoAction:
    reference: str
    project: str
    action_type: str
    status: str
    title: Tr
    year: int
    semester: str = ""
    # The month a rough period begins (autumn: 9), so that the action sorts where it begins.
    period_month: int | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    period_note: Tr = NO_TEXT
    place: Tr = NO_TEXT
    online: bool = False
    offices: list[str] = field(default_factory=list)
    organisers: list[str] = field(default_factory=list)
    sector: str | None = None
    work_package: str | None = None
    language_hours: int | None = None
    duration_days: int | None = None
    capacity: int | None = None
    workshops: int | None = None
    workshop_note: Tr = NO_TEXT
    language_note: Tr = NO_TEXT
    reviews: Tr = NO_TEXT
    taught_by: list[str] = field(default_factory=list)
    tested_by: list[str] = field(default_factory=list)
    presenters: list[str] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    cancellation_reason: Tr = NO_TEXT
    description: Tr = NO_TEXT
    outcomes_expected_on: datetime.date | None = None
    outcomes_note: Tr = NO_TEXT
    # (metric, pes slug or None for an unsplit figure, value, lower bound, note)
    figures: list[tuple[str, str | None, int, bool, Tr]] = field(default_factory=list)
    employers: list[DemoEmployer] = field(default_factory=list)
    # (job, employer slug or None, positions)
    jobs: list[tuple[Tr, str | None, int | None]] = field(default_factory=list)
    # The participation records of the PES that keep them (they give no figures of their
    # jobseekers for this action).
    records: list[DemoRecord] = field(default_factory=list)

    @property
    def period_semester(self) -> str:
        """The semester the action lies in: its start date's, else the one given, else the one
        its period's first month lies in (as Action.save() derives it, so a rerun finds it
        equal and writes nothing)."""
        if self.start:
            return semester_of(self.start)
        if self.semester or not self.period_month:
            return self.semester
        return str(Semester(self.year, 1 if self.period_month <= 6 else 2))

    def translated(self) -> dict[str, str]:
        """The translated texts as the model's columns: title_en, title_nl, title_fr, ..."""
        texts = {
            "title": self.title,
            "description": self.description,
            "place": self.place,
            "period_note": self.period_note,
            "cancellation_reason": self.cancellation_reason,
            "workshop_note": self.workshop_note,
            "language_note": self.language_note,
            "reviews": self.reviews,
            "outcomes_note": self.outcomes_note,
        }
        return {
            key: value for name, text in texts.items() for key, value in in_languages(name, text)
        }


def in_languages(name: str, text: Tr) -> list[tuple[str, str]]:
    """A translated field's columns and their texts: [("title_en", ...), ("title_nl", ...), ...]."""
    return list(zip((f"{name}_{code}" for code in LANGUAGE_ORDER), text, strict=True))


LANGUAGE_ORDER = ("en", "nl", "fr")
M = Metric
THREE_PES = ["vdab", "le-forem", "pole-emploi"]
GT, GC = "grenzeloos-tewerkstellen", "grenzeloos-competent"

# Every guidance cohort follows the same principles in the three regions (question 1).
COHORT_FORMAT: dict[str, Any] = {
    "capacity": 12,
    "workshops": 12,
    "workshop_note": (
        "alternating in France and Belgium",
        "afwisselend in Frankrijk en België",
        "en alternance en France et en Belgique",
    ),
    "language_hours": 40,
    "reviews": (
        "a mid-way review and a final quantitative and qualitative review with all partners",
        "een tussentijdse balans halverwege en na afloop een kwantitatieve en kwalitatieve balans "
        "met alle partners",
        "un bilan à mi-parcours et, à la fin, un bilan quantitatif et qualitatif avec tous les "
        "partenaires",
    ),
    "description": (
        "The three PES guide jobseekers registered with them who are ready to work across the "
        "border: they select the candidates and give them the calendar and themes of the "
        "workshops, whose content they worked out together. The French and Belgian trade-union "
        "advisers of IVR lead a workshop on each territory on the practical side of cross-border "
        "work (tax, social security).",
        "De drie PES'n begeleiden werkzoekenden die bij hen zijn ingeschreven en bereid zijn tot "
        "grensoverschrijdende mobiliteit: zij selecteren de kandidaten en geven hun de kalender "
        "en de thema's van de workshops, waarvan ze de inhoud samen uitwerkten. De Frans-Belgische "
        "vakbondsconsulenten van de IVR leiden op elk grondgebied een workshop over de praktische "
        "aspecten van grensoverschrijdende mobiliteit (fiscaliteit, sociale zekerheid).",
        "Les trois services publics de l'emploi accompagnent des demandeurs d'emploi inscrits "
        "chez eux et prêts à la mobilité transfrontalière : ils sélectionnent les candidats et "
        "leur communiquent le calendrier et les thèmes des ateliers, dont ils ont élaboré "
        "ensemble le contenu. Les conseillers syndicaux franco-belges de l'IVR animent sur chaque "
        "territoire un atelier sur les aspects pratiques de la mobilité transfrontalière "
        "(fiscalité, sécurité sociale).",
    ),
}
VEURNE_DUNKERQUE: Tr = ("Veurne/Dunkerque", "Veurne/Duinkerke", "Furnes/Dunkerque")
PRE_SCREENED: Tr = (
    "pre-screened jobseekers",
    "vooraf gescreende werkzoekenden",
    "demandeurs d'emploi présélectionnés",
)
TRAINEES: Tr = ("trainees", "cursisten", "stagiaires")
AUTUMN: Tr = ("autumn", "najaar", "automne")
PTI_KORTRIJK: Tr = ("PTI Kortrijk", "PTI Kortrijk", "PTI Kortrijk")
STAFF_SEMINAR_APRIL_2018: Tr = (
    "Again a seminar on the Flemish labour market and VDAB's services, for staff of Entreprendre "
    "Ensemble and French partners from the coast.",
    "Opnieuw een seminarie over de Vlaamse arbeidsmarkt en de dienstverlening van VDAB, voor "
    "medewerkers van Entreprendre Ensemble en Franse partners uit de kuststreek.",
    "À nouveau un séminaire sur le marché du travail flamand et les services du VDAB, pour le "
    "personnel d'Entreprendre Ensemble et des partenaires français du littoral.",
)

# Who took part in the actions whose PES keep participation records: the 2017 guidance cohorts
# (their starts per PES and the jobseekers who found work, as the answer gives them) and the
# refugees interested in AB Réfugiés' guidance path. Names and references are made up. Their
# follow-ups are those a coordinator would have recorded: on leaving within four weeks of the
# cohort's end, in work exactly for those who had found work by the check; six months on for
# the spring cohort (due 27 January 2018: some done, the rest overdue by 20 April 2018); none
# yet for the autumn cohort (due 29 June 2018, not yet due on 20 April 2018). The construction
# training has no participant yet: its outflow is expected in 2019 and nothing is due for it.
W, MAN, NOT_GIVEN = Gender.WOMAN, Gender.MAN, Gender.NOT_GIVEN
LOW, MID, HIGH = EducationLevel.ISCED_0_2, EducationLevel.ISCED_3_4, EducationLevel.ISCED_5_8
UNEMPLOYED, LONG_TERM, INACTIVE = (
    EntryStatus.UNEMPLOYED,
    EntryStatus.LONG_TERM_UNEMPLOYED,
    EntryStatus.INACTIVE,
)
UNDER_6, SIX_TO_12, TWELVE_TO_24, OVER_24 = (
    UnemploymentDuration.UNDER_6_MONTHS,
    UnemploymentDuration.FROM_6_TO_12_MONTHS,
    UnemploymentDuration.FROM_12_TO_24_MONTHS,
    UnemploymentDuration.OVER_24_MONTHS,
)
EMPLOYED, SELF_EMPLOYED = LeavingSituation.EMPLOYED, LeavingSituation.SELF_EMPLOYED
SEEKING, EDUCATION = LeavingSituation.JOB_SEEKING, LeavingSituation.EDUCATION
REGISTER, EMPLOYER = FollowUpSource.PES_REGISTER, FollowUpSource.EMPLOYER
SURVEY, DECLARED = FollowUpSource.SURVEY, FollowUpSource.SELF_DECLARED


def _person(
    pes: str,
    ref: str,
    name: tuple[str, str],
    birth_year: int,
    gender: str,
    education_level: str = "",
    is_refugee: bool | None = None,
) -> DemoJobseeker:
    return DemoJobseeker(pes, ref, *name, birth_year, gender, education_level, is_refugee)


PE, FOREM, VDAB = "pole-emploi", "le-forem", "vdab"
COHORT_LKT_RECORDS = [
    DemoRecord(
        _person(PE, "PE-170041", ("Camille", "Lefebvre"), 1991, W, MID),
        entry_status=UNEMPLOYED,
        unemployment_duration=SIX_TO_12,
        placed_on=D(2017, 8, 1),
        on_leaving=(EMPLOYED, D(2017, 8, 10), EMPLOYER),
        six_months=(SixMonthSituation.EMPLOYED, D(2018, 2, 5), SURVEY),
    ),
    DemoRecord(
        # Found work after the check on leaving: job-seeking then, in work since.
        _person(PE, "PE-170042", ("Mehdi", "Benali"), 1985, MAN, LOW),
        entry_status=LONG_TERM,
        unemployment_duration=TWELVE_TO_24,
        placed_on=D(2017, 10, 2),
        on_leaving=(SEEKING, D(2017, 8, 21), REGISTER),
    ),
    DemoRecord(
        _person(PE, "PE-170043", ("Sandrine", "Vasseur"), 1962, W, LOW),
        entry_status=LONG_TERM,
        unemployment_duration=OVER_24,
        on_leaving=(SEEKING, D(2017, 8, 21), REGISTER),
        six_months=(SixMonthSituation.NO_IMPROVEMENT, D(2018, 2, 12), REGISTER),
    ),
    DemoRecord(
        _person(PE, "PE-170044", ("Kevin", "Dumont"), 1995, MAN, MID),
        entry_status=UNEMPLOYED,
        unemployment_duration=UNDER_6,
    ),
    DemoRecord(
        _person(PE, "PE-170045", ("Laetitia", "Carpentier"), 1979, NOT_GIVEN, HIGH),
        entry_status=UNEMPLOYED,
        unemployment_duration=SIX_TO_12,
        on_leaving=(EDUCATION, D(2017, 8, 17), DECLARED),
        six_months=(SixMonthSituation.BETTER_SITUATION, D(2018, 2, 19), DECLARED),
    ),
    DemoRecord(
        _person(FOREM, "FO-2017-3311", ("Julien", "Lambert"), 1988, MAN, MID),
        entry_status=UNEMPLOYED,
        unemployment_duration=UNDER_6,
        placed_on=D(2017, 8, 14),
        on_leaving=(EMPLOYED, D(2017, 8, 21), REGISTER),
        six_months=(SixMonthSituation.EMPLOYED, D(2018, 2, 12), REGISTER),
    ),
    DemoRecord(
        _person(FOREM, "FO-2017-3312", ("Nathalie", "Hubert"), 1972, W, MID),
        entry_status=LONG_TERM,
        unemployment_duration=TWELVE_TO_24,
        on_leaving=(SEEKING, D(2017, 8, 22), REGISTER),
    ),
    DemoRecord(
        _person(FOREM, "FO-2017-3313", ("Rachid", "El Amrani"), 1990, MAN, LOW),
        entry_status=LONG_TERM,
        unemployment_duration=OVER_24,
    ),
    DemoRecord(
        _person(FOREM, "FO-2017-3314", ("Aurélie", "Masson"), 1983, W, HIGH),
        entry_status=INACTIVE,
        on_leaving=(LeavingSituation.INACTIVE, D(2017, 8, 22), DECLARED),
    ),
    DemoRecord(
        _person(VDAB, "VD-0448217", ("Pieter", "Vandenberghe"), 1964, MAN, MID),
        entry_status=LONG_TERM,
        unemployment_duration=OVER_24,
        on_leaving=(SEEKING, D(2017, 8, 8), REGISTER),
        six_months=(SixMonthSituation.NO_IMPROVEMENT, D(2018, 1, 30), REGISTER),
    ),
]
COHORT_VEURNE_RECORDS = [
    DemoRecord(
        _person(PE, "PE-170311", ("Aurore", "Delattre"), 1987, W, MID),
        entry_status=UNEMPLOYED,
        unemployment_duration=SIX_TO_12,
        placed_on=D(2018, 1, 8),
        on_leaving=(EMPLOYED, D(2018, 1, 15), EMPLOYER),
    ),
    DemoRecord(
        _person(PE, "PE-170312", ("Thomas", "Verhaeghe"), 1993, MAN, MID),
        entry_status=UNEMPLOYED,
        unemployment_duration=UNDER_6,
        placed_on=D(2018, 1, 3),
        on_leaving=(EMPLOYED, D(2018, 1, 10), REGISTER),
    ),
    DemoRecord(
        _person(PE, "PE-170313", ("Jérôme", "Declercq"), 1975, MAN, LOW),
        entry_status=LONG_TERM,
        unemployment_duration=TWELVE_TO_24,
        placed_on=D(2018, 2, 19),
        on_leaving=(SEEKING, D(2018, 1, 12), REGISTER),
    ),
    DemoRecord(
        _person(PE, "PE-170314", ("Virginie", "Coppin"), 1981, W, LOW),
        entry_status=LONG_TERM,
        unemployment_duration=OVER_24,
        placed_on=D(2018, 3, 5),
        on_leaving=(SEEKING, D(2018, 1, 12), REGISTER),
    ),
    DemoRecord(
        _person(PE, "PE-170315", ("Samir", "Haddad"), 1996, MAN, LOW),
        entry_status=UNEMPLOYED,
        unemployment_duration=UNDER_6,
    ),
    DemoRecord(
        _person(PE, "PE-170316", ("Élodie", "Marchand"), 1969, NOT_GIVEN, HIGH),
        entry_status=UNEMPLOYED,
        unemployment_duration=SIX_TO_12,
        on_leaving=(EDUCATION, D(2018, 1, 19), DECLARED),
    ),
    DemoRecord(
        _person(VDAB, "VD-0451190", ("Sofie", "Deprez"), 1990, W, HIGH),
        entry_status=UNEMPLOYED,
        unemployment_duration=UNDER_6,
        placed_on=D(2018, 1, 2),
        on_leaving=(SELF_EMPLOYED, D(2018, 1, 9), DECLARED),
    ),
    DemoRecord(
        _person(VDAB, "VD-0451191", ("Tom", "Maes"), 1984, MAN, MID),
        entry_status=LONG_TERM,
        unemployment_duration=TWELVE_TO_24,
        placed_on=D(2018, 1, 22),
        on_leaving=(EMPLOYED, D(2018, 1, 24), EMPLOYER),
    ),
    DemoRecord(
        _person(VDAB, "VD-0451192", ("Ann", "Vermeulen"), 1961, W, LOW),
        entry_status=LONG_TERM,
        unemployment_duration=OVER_24,
        on_leaving=(SEEKING, D(2018, 1, 10), REGISTER),
    ),
]
# Refugees recognised recently: most registered a few months ago or not yet available for work
# (inactive); diplomas from abroad not yet recognised leave the education level unrecorded.
REFUGEE_RECORDS = [
    DemoRecord(
        _person(VDAB, "VD-0460311", ("Yonas", "Tesfaye"), 1992, MAN, LOW, True),
        status=ParticipationStatus.INTERESTED,
        entry_status=UNEMPLOYED,
        unemployment_duration=UNDER_6,
    ),
    DemoRecord(
        _person(VDAB, "VD-0460312", ("Hiba", "Al-Khatib"), 1988, W, HIGH, True),
        status=ParticipationStatus.INTERESTED,
        entry_status=UNEMPLOYED,
        unemployment_duration=SIX_TO_12,
    ),
    DemoRecord(
        _person(VDAB, "VD-0460313", ("Ahmad", "Rahimi"), 1998, MAN, LOW, True),
        status=ParticipationStatus.INTERESTED,
        entry_status=INACTIVE,
    ),
    DemoRecord(
        _person(VDAB, "VD-0460314", ("Samira", "Haidari"), 1985, W, "", True),
        status=ParticipationStatus.INTERESTED,
        entry_status=INACTIVE,
    ),
    DemoRecord(
        _person(VDAB, "VD-0460315", ("Mohammed", "Al-Hassan"), 1979, MAN, MID, True),
        status=ParticipationStatus.INTERESTED,
        entry_status=LONG_TERM,
        unemployment_duration=TWELVE_TO_24,
    ),
    DemoRecord(
        _person(VDAB, "VD-0460316", ("Ruth", "Gebremedhin"), 1994, W, MID, True),
        status=ParticipationStatus.INTERESTED,
        entry_status=UNEMPLOYED,
        unemployment_duration=UNDER_6,
    ),
]

ACTIONS = [
    # Grenzeloos Tewerkstellen, 2017 (question 1)
    DemoAction(
        "gt-2017-cohort-lkt",
        GT,
        ActionType.GUIDANCE_COHORT,
        ActionStatus.COMPLETED,
        ("Guidance cohort LKT", "Begeleidingsactie LKT", "Action d'accompagnement LKT"),
        2017,
        start=D(2017, 4, 27),
        end=D(2017, 7, 27),
        place=("LKT", "LKT", "LKT"),
        organisers=THREE_PES,
        **COHORT_FORMAT,
        # 10 started (5 Pôle emploi, 4 Le Forem, 1 VDAB), 3 found work after the action.
        records=COHORT_LKT_RECORDS,
    ),
    DemoAction(
        "gt-2017-cohort-veurne-dunkerque",
        GT,
        ActionType.GUIDANCE_COHORT,
        ActionStatus.COMPLETED,
        (
            "Guidance cohort Veurne/Dunkerque",
            "Begeleidingsactie Veurne/Duinkerke",
            "Action d'accompagnement Furnes/Dunkerque",
        ),
        2017,
        start=D(2017, 9, 29),
        end=D(2017, 12, 29),
        place=VEURNE_DUNKERQUE,
        offices=["vdab-veurne", "pe-dunkerque"],
        organisers=THREE_PES,
        **COHORT_FORMAT,
        # 9 started (6 Pôle emploi, 3 VDAB), 6 found work after the action.
        records=COHORT_VEURNE_RECORDS,
    ),
    DemoAction(
        "gt-2017-skills-eurometropolis-tour",
        GT,
        ActionType.COMPANY_VISIT,
        ActionStatus.COMPLETED,
        (
            "Skills Eurometropolis Tour: industry day",
            "Skills Eurometropolis Tour: dag van de industrieberoepen",
            "Skills Eurometropolis Tour : journée des métiers de l'industrie",
        ),
        2017,
        start=D(2017, 6, 6),
        place=(
            "Eurometropolis Lille-Kortrijk-Tournai",
            "Eurometropool Lille-Kortrijk-Tournai",
            "Eurométropole Lille-Kortrijk-Tournai",
        ),
        organisers=["mde-lys-tourcoing", *THREE_PES, "unizo", "ivr"],
        sector="industry",
        description=(
            "A day on the jobs in industry, which recruits on both sides of the border: the "
            "companies presented the jobs on site and answered questions on their activity, the "
            "profiles they seek and what it takes to be hired; the jobseekers could hand in their "
            "CV after the visit.",
            "Een dag gewijd aan de beroepen in de industrie, die aan beide zijden van de grens "
            "rekruteert: de bedrijven stelden de beroepen op het terrein voor en beantwoordden "
            "vragen over hun activiteit, de gezochte profielen en de vereisten voor aanwerving; "
            "de werkzoekenden konden na het bezoek hun cv afgeven.",
            "Une journée consacrée aux métiers de l'industrie, qui recrute des deux côtés de la "
            "frontière : les entreprises ont présenté les métiers sur le terrain et répondu aux "
            "questions sur leur activité, les profils recherchés et les conditions d'embauche ; "
            "les demandeurs d'emploi pouvaient remettre leur CV après la visite.",
        ),
        figures=[
            (M.STARTS, "le-forem", 8, False, PRE_SCREENED),
            (M.STARTS, "pole-emploi", 10, False, PRE_SCREENED),
            (M.STARTS, "vdab", 2, False, PRE_SCREENED),
            (
                M.HIRES,
                None,
                2,
                False,
                (
                    "within the week, at Koraton",
                    "binnen de week, bij Koraton",
                    "dans la semaine, chez Koraton",
                ),
            ),
        ],
        employers=[
            DemoEmployer("koraton", hires=2, hired_within_days=7),
            DemoEmployer("vandeputte"),
            DemoEmployer("wepa"),
        ],
        jobs=[
            (
                ("maintenance technician", "onderhoudstechnicus", "technicien de maintenance"),
                None,
                None,
            ),
            (("line operator", "lijnoperator", "opérateur de ligne"), None, None),
            (("production operator", "productieoperator", "opérateur de production"), None, None),
        ],
    ),
    DemoAction(
        "gt-2017-jobdating-veurne",
        GT,
        ActionType.JOBDATING,
        ActionStatus.COMPLETED,
        ("Jobdating Veurne", "Jobdating Veurne", "Jobdating Furnes"),
        2017,
        start=D(2017, 11, 28),
        place=("Veurne", "Veurne", "Furnes"),
        offices=["vdab-veurne"],
        organisers=["vdab", "pole-emploi"],
        sector="logistics",
        description=(
            "Jobseekers from France and Flanders met employers at 6 stands: 3 companies and 3 "
            "(in-house) temporary-work agencies.",
            "Werkzoekenden uit Frankrijk en Vlaanderen ontmoetten werkgevers aan 6 stands: 3 "
            "bedrijven en 3 (inhouse) uitzendkantoren.",
            "Des demandeurs d'emploi de France et de Flandre ont rencontré des employeurs à 6 "
            "stands : 3 entreprises et 3 agences d'intérim (implantées en entreprise).",
        ),
        figures=[
            (
                M.STARTS,
                "pole-emploi",
                35,
                False,
                (
                    "jobseekers from France",
                    "werkzoekenden uit Frankrijk",
                    "demandeurs d'emploi venus de France",
                ),
            ),
            (
                M.STARTS,
                "vdab",
                11,
                False,
                (
                    "jobseekers from Flanders",
                    "werkzoekenden uit Vlaanderen",
                    "demandeurs d'emploi venus de Flandre",
                ),
            ),
            (
                M.EMPLOYERS,
                None,
                3,
                False,
                ("companies at a stand", "bedrijven met een stand", "entreprises avec un stand"),
            ),
            (
                M.AGENCIES,
                None,
                3,
                False,
                (
                    "in-house temporary-work agencies",
                    "inhouse uitzendkantoren",
                    "agences d'intérim implantées en entreprise",
                ),
            ),
            (M.VACANCIES, None, 17, False, NO_TEXT),
            (M.HIRES, None, 7, False, NO_TEXT),
        ],
        jobs=[
            (("warehouse worker", "magazijnmedewerker", "magasinier"), None, None),
            (("order picker", "orderpicker", "préparateur de commandes"), None, None),
            (("packer", "inpakker", "emballeur"), None, None),
            (("forklift driver", "heftruckchauffeur", "cariste"), None, None),
            (("production operator", "productieoperator", "opérateur de production"), None, None),
        ],
    ),
    DemoAction(
        "gt-2017-training-welder-ieper",
        GT,
        ActionType.TRAINING,
        ActionStatus.CANCELLED,
        (
            "Cross-border welder training",
            "Grensoverschrijdende opleiding lasser",
            "Formation transfrontalière de soudeur",
        ),
        2017,
        place=("VDAB Ieper", "VDAB Ieper", "VDAB Ieper (Ypres)"),
        offices=["vdab-ieper"],
        organisers=["vdab", "pole-emploi"],
        sector="industry",
        certificates=["european-welder"],
        cancellation_reason=(
            "No benefit-eligible French candidates were found with basic Dutch or willing to "
            "learn it for this training.",
            "Er werden geen uitkeringsgerechtigde Franse kandidaten gevonden met een basiskennis "
            "Nederlands of die zich wilden engageren om die te verwerven voor dit "
            "opleidingstraject.",
            "Aucun candidat français indemnisé n'a été trouvé ayant des bases en néerlandais ou "
            "prêt à les acquérir pour cette formation.",
        ),
        description=(
            "A cross-border welder training between VDAB in Ieper and Pôle emploi: at VDAB Ieper "
            "one can obtain the European welder certificate. Welder has meanwhile become a "
            "shortage occupation in France too.",
            "Een grensoverschrijdende opleiding lasser tussen VDAB in Ieper en Pôle emploi: bij "
            "VDAB in Ieper kun je een Europees attest lasser behalen. Lasser is intussen ook een "
            "knelpuntberoep in Frankrijk.",
            "Une formation transfrontalière de soudeur entre le VDAB à Ieper (Ypres) et Pôle "
            "emploi : au VDAB d'Ieper, on peut obtenir le certificat européen de soudeur. Soudeur "
            "est entre-temps devenu un métier en tension en France aussi.",
        ),
    ),
    # Question 5: the staff seminars.
    DemoAction(
        "gt-2017-staff-seminar",
        GT,
        ActionType.STAFF_SEMINAR,
        ActionStatus.COMPLETED,
        (
            "Seminar on the Flemish labour market for Pôle emploi",
            "Seminarie over de Vlaamse arbeidsmarkt voor Pôle emploi",
            "Séminaire sur le marché du travail flamand pour Pôle emploi",
        ),
        2017,
        start=D(2017, 11, 9),
        organisers=["vdab"],
        presenters=["vdab", "unizo", "voka", "ivr"],
        description=(
            "A seminar on the Flemish labour market and VDAB's services for colleagues of Pôle "
            "emploi and French partners; UNIZO, Voka and IVR presented their services to the "
            "French actors too.",
            "Een seminarie over de Vlaamse arbeidsmarkt en de dienstverlening van VDAB voor "
            "collega's van Pôle emploi en Franse partners; ook UNIZO, Voka en de IVR stelden hun "
            "dienstverlening voor aan de Franse actoren.",
            "Un séminaire sur le marché du travail flamand et les services du VDAB pour des "
            "collègues de Pôle emploi et des partenaires français ; UNIZO, Voka et l'IVR ont eux "
            "aussi présenté leurs services aux acteurs français.",
        ),
    ),
    # Grenzeloos Tewerkstellen, 2018
    DemoAction(
        "gt-2018-cohort-1",
        GT,
        ActionType.GUIDANCE_COHORT,
        ActionStatus.ONGOING,
        (
            "Guidance cohort spring 2018",
            "Begeleidingsactie voorjaar 2018",
            "Action d'accompagnement printemps 2018",
        ),
        2018,
        start=D(2018, 3, 26),
        end=D(2018, 6, 26),
        organisers=THREE_PES,
        **COHORT_FORMAT,
        figures=[
            (M.STARTS, "vdab", 3, False, NO_TEXT),
            (M.STARTS, "le-forem", 5, False, NO_TEXT),
            (M.STARTS, "pole-emploi", 3, False, NO_TEXT),
        ],
    ),
    DemoAction(
        "gt-2018-cohort-veurne-dunkerque",
        GT,
        ActionType.GUIDANCE_COHORT,
        ActionStatus.PLANNED,
        (
            "Guidance cohort Veurne/Dunkerque 2018",
            "Begeleidingsactie Veurne/Duinkerke 2018",
            "Action d'accompagnement Furnes/Dunkerque 2018",
        ),
        2018,
        semester="2018-S2",
        place=VEURNE_DUNKERQUE,
        offices=["vdab-veurne", "pe-dunkerque"],
        organisers=THREE_PES,
        **COHORT_FORMAT,
    ),
    DemoAction(
        "gt-2018-company-visits-bus",
        GT,
        ActionType.COMPANY_VISIT,
        ActionStatus.PLANNED,
        ("Company visits by bus", "Bedrijfsbezoeken met de bus", "Visites d'entreprises en bus"),
        2018,
        start=D(2018, 5, 31),
        place=("by bus", "met de bus", "en bus"),
        organisers=[*THREE_PES, "unizo", "voka", "ivr"],
        description=(
            "The three PES again organise company visits, with UNIZO, Voka and IVR, for "
            "pre-screened jobseekers from the three regions.",
            "De drie PES'n organiseren opnieuw bedrijfsbezoeken, samen met UNIZO, Voka en de IVR, "
            "met vooraf gescreende werkzoekenden uit de drie regio's.",
            "Les trois services publics de l'emploi organisent à nouveau des visites "
            "d'entreprises, avec UNIZO, Voka et l'IVR, pour des demandeurs d'emploi présélectionnés "
            "des trois régions.",
        ),
    ),
    DemoAction(
        "gt-2018-online-job-fair",
        GT,
        ActionType.JOB_FAIR,
        ActionStatus.PLANNED,
        ("Online job fair", "Online jobbeurs", "Salon de l'emploi en ligne"),
        2018,
        semester="2018-S2",
        online=True,
        place=("online", "online", "en ligne"),
        organisers=THREE_PES,
    ),
    DemoAction(
        "gt-2018-training-forklift-rekkem",
        GT,
        ActionType.TRAINING,
        ActionStatus.PLANNED,
        (
            "Cross-border forklift driver training",
            "Grensoverschrijdende opleiding heftruckchauffeur",
            "Formation transfrontalière de cariste",
        ),
        2018,
        period_month=9,
        period_note=AUTUMN,
        place=(
            "VDAB training centre, Rekkem",
            "VDAB-opleidingscentrum Rekkem",
            "centre de formation du VDAB à Rekkem (Reckem)",
        ),
        offices=["vdab-rekkem"],
        organisers=THREE_PES,
        sector="logistics",
        capacity=12,
        duration_days=14,
        language_note=(
            "two weeks of intensive language training before the training starts",
            "2 weken intensieve taaltraining voor de start van de opleiding",
            "deux semaines de formation linguistique intensive avant le début de la formation",
        ),
        taught_by=["vdab", "le-forem"],
        tested_by=["organisme-testeur-caces"],
        certificates=["be-forklift", "caces"],
        description=(
            "An experiment with Le Forem and Pôle emploi: jobseekers of the three regions are "
            "trained together by instructors of VDAB (in Dutch) and of Le Forem (in French), "
            "after which a training body from France tests them, so that they obtain both the "
            "Belgian and the French certificate.",
            "Een experiment samen met Le Forem en Pôle emploi: werkzoekenden uit de drie regio's "
            "worden samen opgeleid door instructeurs van VDAB (in het Nederlands) en van Le Forem "
            "(in het Frans), waarna een opleidingsorganisatie uit Frankrijk hen komt testen, zodat "
            "ze zowel het Belgische als het Franse attest behalen.",
            "Une expérience avec Le Forem et Pôle emploi : des demandeurs d'emploi des trois "
            "régions sont formés ensemble par des formateurs du VDAB (en néerlandais) et du Forem "
            "(en français), puis un organisme de formation français vient les tester, pour "
            "qu'ils obtiennent à la fois l'attestation belge et le certificat français.",
        ),
    ),
    # Grenzeloos Competent (question 2): fairs
    DemoAction(
        "gc-2018-job-fair-dunkerque",
        GC,
        ActionType.JOB_FAIR,
        ActionStatus.COMPLETED,
        (
            "Info and job fair Dunkerque",
            "Info- en jobbeurs Duinkerke",
            "Salon d'information et de l'emploi Dunkerque",
        ),
        2018,
        start=D(2018, 2, 1),
        place=("Dunkerque", "Duinkerke", "Dunkerque"),
        organisers=["entreprendre-ensemble", "vdab", "pole-emploi"],
        presenters=["vdab", "pole-emploi"],
        workshops=2,
        workshop_note=(
            "given by VDAB and Pôle emploi as a tandem, on the Flemish labour market and the "
            "vacancies to be found in Flanders",
            "door VDAB en Pôle emploi als tandem gegeven, over de Vlaamse arbeidsmarkt en de "
            "vacatures die in Vlaanderen te vinden zijn",
            "animés en tandem par le VDAB et Pôle emploi, sur le marché du travail flamand et les "
            "offres d'emploi à trouver en Flandre",
        ),
        description=(
            "On the initiative of Entreprendre Ensemble, mainly to inform people interested in "
            "working in Flanders; the Flemish temporary-work agencies were invited too.",
            "Op initiatief van Entreprendre Ensemble, vooral om mensen met interesse voor werken "
            "in Vlaanderen te informeren; ook de Vlaamse uitzendkantoren werden uitgenodigd.",
            "À l'initiative d'Entreprendre Ensemble, surtout pour informer les personnes "
            "intéressées par un emploi en Flandre ; les agences d'intérim flamandes étaient "
            "invitées aussi.",
        ),
        figures=[
            (
                M.REACHED,
                None,
                200,
                True,
                (
                    "more than 200 jobseekers came by",
                    "meer dan 200 werkzoekenden kwamen langs",
                    "plus de 200 demandeurs d'emploi sont passés",
                ),
            ),
            (
                M.AGENCIES,
                None,
                6,
                False,
                (
                    "Flemish temporary-work agencies",
                    "Vlaamse uitzendkantoren",
                    "agences d'intérim flamandes",
                ),
            ),
        ],
    ),
    DemoAction(
        "gc-2018-job-fair-ghyvelde",
        GC,
        ActionType.JOB_FAIR,
        ActionStatus.PLANNED,
        ("Job fair Ghyvelde", "Jobbeurs Ghyvelde", "Salon de l'emploi de Ghyvelde"),
        2018,
        start=D(2018, 4, 13),
        place=("Ghyvelde", "Ghyvelde", "Ghyvelde"),
        organisers=["ghyvelde", "vdab", "pole-emploi"],
        description=(
            "VDAB takes part with Pôle emploi in the job fair of the municipality of Ghyvelde, "
            "mainly to inform people about working in Flanders and show where they can find its "
            "vacancies. By 12 April, 3 Flemish temporary-work agencies had registered to take "
            "part too.",
            "VDAB neemt samen met Pôle emploi deel aan de jobbeurs van de gemeente Ghyvelde, "
            "vooral om mensen te informeren over werken in Vlaanderen en te tonen waar ze de "
            "vacatures kunnen terugvinden. Op 12 april hadden 3 Vlaamse uitzendkantoren zich "
            "ingeschreven om eveneens deel te nemen.",
            "Le VDAB participe avec Pôle emploi au salon de l'emploi de la commune de Ghyvelde, "
            "surtout pour informer sur le travail en Flandre et montrer où en trouver les offres "
            "d'emploi. Au 12 avril, 3 agences d'intérim flamandes s'étaient inscrites pour y "
            "participer aussi.",
        ),
        figures=[
            (
                M.AGENCIES,
                None,
                3,
                False,
                (
                    "Flemish agencies registered by 12 April",
                    "Vlaamse uitzendkantoren ingeschreven op 12 april",
                    "agences d'intérim flamandes inscrites au 12 avril",
                ),
            )
        ],
    ),
    # Grenzeloos Competent: agro-food
    DemoAction(
        "gc-2017-agro-food-vdab",
        GC,
        ActionType.TRAINING,
        ActionStatus.COMPLETED,
        (
            "Agro-food training (Flemish side)",
            "Opleiding agrovoeding (Vlaamse kant)",
            "Formation agroalimentaire (côté flamand)",
        ),
        2017,
        organisers=["vdab"],
        sector="agro-food",
        work_package="WP-TRAINING",
        figures=[(M.STARTS, None, 5, False, TRAINEES)],
    ),
    DemoAction(
        "gc-2017-agro-food-le-forem",
        GC,
        ActionType.TRAINING,
        ActionStatus.COMPLETED,
        (
            "Agro-food training (Walloon side)",
            "Opleiding agrovoeding (Waalse kant)",
            "Formation agroalimentaire (côté wallon)",
        ),
        2017,
        organisers=["le-forem"],
        sector="agro-food",
        work_package="WP-TRAINING",
        figures=[(M.STARTS, None, 8, False, TRAINEES)],
    ),
    DemoAction(
        "gc-2018-agro-food-french-side",
        GC,
        ActionType.TRAINING,
        ActionStatus.ONGOING,
        (
            "Agro-food training (French side)",
            "Opleiding agrovoeding (Franse kant)",
            "Formation agroalimentaire (côté français)",
        ),
        2018,
        organisers=["conseil-regional-dunkerque"],
        sector="agro-food",
        work_package="WP-TRAINING",
        language_note=(
            "an immersion in technical Dutch (safety rules, basic instructions) during the week "
            "at VDAB",
            "een onderdompeling in het technisch Nederlands (veiligheidsvoorschriften, "
            "basisinstructies) tijdens de week bij VDAB",
            "une immersion dans le néerlandais technique (consignes de sécurité, instructions de "
            "base) pendant la semaine au VDAB",
        ),
        description=(
            "After negotiations with VDAB, the Conseil régional de Dunkerque outsourced a "
            "cross-border training on the French side. So that every jobseeker gets to know the "
            "Flemish labour market, all jobseekers from Wallonia and France also spend 1 week at "
            "the Huis van de Voeding in Roeselare, VDAB's training workshop: VDAB is the only "
            "trainer in the region with the machines for dry and fresh food, and the week shows "
            "that working in West Flanders is within reach. Besides the long trainings, "
            "Entreprendre Ensemble in Dunkerque runs short sessions introducing the food sector, "
            "followed by 35 hours of immersion in Dutch for French-speaking jobseekers.",
            "Na onderhandelingen met VDAB besteedde de Conseil régional de Dunkerque een "
            "grensoverschrijdende opleiding aan Franse zijde uit. Om alle werkzoekenden kennis te "
            "laten maken met de Vlaamse arbeidsmarkt, worden alle werkzoekenden uit Wallonië en "
            "Frankrijk ook 1 week ontvangen in het Huis van de Voeding te Roeselare, het "
            "opleidingsatelier van VDAB: VDAB is de enige opleidingsverstrekker in de regio met de "
            "machines voor droge en verse voeding, en de week toont dat werken in West-Vlaanderen "
            "haalbaar is. Naast de langlopende opleidingen organiseert Entreprendre Ensemble te "
            "Duinkerke kortlopende sessies 'introductie in de voedingssector', gevolgd door 35 uur "
            "onderdompeling Nederlands voor Franstalige werkzoekenden.",
            "Après des négociations avec le VDAB, le Conseil régional de Dunkerque a externalisé "
            "une formation transfrontalière côté français. Pour que tous les demandeurs d'emploi "
            "découvrent le marché du travail flamand, ceux de Wallonie et de France passent aussi "
            "1 semaine au Huis van de Voeding à Roeselare (Roulers), l'atelier de formation du "
            "VDAB : le VDAB est le seul opérateur de formation de la région disposant des machines "
            "pour l'alimentation sèche et fraîche, et cette semaine montre que travailler en "
            "Flandre occidentale est à portée. Outre les formations longues, Entreprendre Ensemble "
            "organise à Dunkerque des sessions courtes d'introduction au secteur alimentaire, "
            "suivies de 35 heures d'immersion en néerlandais pour les demandeurs d'emploi "
            "francophones.",
        ),
    ),
    DemoAction(
        "gc-2018-agro-food-autumn",
        GC,
        ActionType.TRAINING,
        ActionStatus.PLANNED,
        (
            "Agro-food training (Flemish and Walloon side)",
            "Opleiding agrovoeding (Vlaamse en Waalse kant)",
            "Formation agroalimentaire (côtés flamand et wallon)",
        ),
        2018,
        period_month=9,
        period_note=AUTUMN,
        organisers=["vdab", "le-forem"],
        sector="agro-food",
        work_package="WP-TRAINING",
        description=(
            "Flemish jobseekers also use Le Forem's installations in Wallonia: 3 days of machine "
            "operation in Mouscron on a special line for liquids, which VDAB does not offer. With "
            "the Walloon and French partners, internships in Flanders are offered, with the job "
            "mediators of Grenzeloos Tewerkstellen.",
            "Vlaamse werkzoekenden gebruiken ook de installaties van Le Forem in Wallonië: 3 dagen "
            "machinebediening in Moeskroen op een speciale lijn voor vloeistoffen, die VDAB niet "
            "aanbiedt. Met de Waalse en Franse partners worden stages in Vlaanderen aangeboden, "
            "met de bemiddelaars van Grenzeloos Tewerkstellen.",
            "Les demandeurs d'emploi flamands utilisent aussi les installations du Forem en "
            "Wallonie : 3 jours de conduite de machines à Mouscron sur une ligne spéciale pour "
            "les liquides, que le VDAB n'offre pas. Avec les partenaires wallons et français, des "
            "stages en Flandre sont proposés, avec les médiateurs d'Emploi sans frontières.",
        ),
    ),
    # Grenzeloos Competent: textiles
    DemoAction(
        "gc-2017-textiles-cobot",
        GC,
        ActionType.TRAINING,
        ActionStatus.COMPLETED,
        ("Textiles training COBOT", "Opleiding textiel COBOT", "Formation textile COBOT"),
        2017,
        period_month=12,
        period_note=("December", "december", "décembre"),
        place=PTI_KORTRIJK,
        organisers=["cobot", "pti-kortrijk"],
        sector="textiles",
        duration_days=5,
        work_package="WP-TRAINING",
        description=(
            "The first of the short trainings COBOT worked out: 5 training days, 2 of theory and "
            "3 of practice at PTI Kortrijk. Discovery days, each 1 to 2 weeks before a training "
            "starts, bring in its trainees.",
            "De eerste van de kortlopende opleidingen die COBOT uitwerkte: 5 opleidingsdagen, "
            "waarvan 2 dagen theorie en 3 dagen praktijk in het PTI Kortrijk. Ontdekkingsdagen, "
            "telkens 1 à 2 weken voor de start van een opleiding, zorgen voor toeleiding.",
            "La première des formations courtes conçues par COBOT : 5 jours de formation, dont 2 "
            "de théorie et 3 de pratique au PTI Kortrijk (Courtrai). Des journées découverte, "
            "chaque fois 1 à 2 semaines avant le début d'une formation, en amènent les "
            "stagiaires.",
        ),
        figures=[(M.STARTS, None, 6, False, TRAINEES)],
    ),
    DemoAction(
        "gc-2018-textiles",
        GC,
        ActionType.TRAINING,
        ActionStatus.COMPLETED,
        (
            "Textiles training March 2018",
            "Opleiding textiel maart 2018",
            "Formation textile mars 2018",
        ),
        2018,
        period_month=3,
        period_note=("March", "maart", "mars"),
        place=PTI_KORTRIJK,
        organisers=["cobot"],
        sector="textiles",
        duration_days=5,
        work_package="WP-TRAINING",
        figures=[(M.STARTS, None, 7, False, TRAINEES)],
    ),
    # Grenzeloos Competent: (sustainable) construction
    DemoAction(
        "gc-2018-bricklayer-dunkerque",
        GC,
        ActionType.TRAINING,
        ActionStatus.PLANNED,
        (
            "Bricklayer training, Dunkerque region",
            "Opleiding metselaar, regio Duinkerke",
            "Formation de maçon, région de Dunkerque",
        ),
        2018,
        period_month=6,
        period_note=("June", "juni", "juin"),
        place=("Dunkerque region", "regio Duinkerke", "région de Dunkerque"),
        organisers=["conseil-regional-dunkerque", "vdab"],
        sector="construction",
        work_package="WP-TRAINING",
        language_note=(
            "a week of Dutch at VDAB during the training, prepared by about two weeks of "
            "technical Dutch",
            "een week Nederlands bij VDAB tijdens de opleiding, voorbereid met een tweetal weken "
            "technisch Nederlands",
            "une semaine de néerlandais au VDAB pendant la formation, préparée par environ deux "
            "semaines de néerlandais technique",
        ),
        description=(
            "The first construction training: in 2017 the partners agreed its content, and VDAB "
            "negotiated with the Conseil régional de Dunkerque a tender for a bricklayer training "
            "in the Dunkerque region, the profile most in demand on the labour market around "
            "Veurne. Bricklaying is not a basic training in France, so its content was added to "
            "the tender. With VDAB's account managers and the partners of Grenzeloos "
            "Tewerkstellen, outflow to internships and jobs in Flanders is promoted.",
            "De eerste opleiding bouw: in 2017 legden de partners de inhoud vast, en VDAB "
            "onderhandelde mee bij de Conseil régional de Dunkerque over een aanbesteding voor "
            "een opleiding metselaar in de regio Duinkerke, het meest gevraagde profiel op de "
            "arbeidsmarkt rond Veurne. Metselwerk is geen basisopleiding in Frankrijk, dus werd "
            "die inhoud aan de aanbesteding toegevoegd. Samen met de accountmanagers van VDAB en "
            "de partners van Grenzeloos Tewerkstellen wordt uitstroom naar Vlaamse stageplaatsen "
            "en tewerkstelling bevorderd.",
            "La première formation en construction : en 2017, les partenaires en ont arrêté le "
            "contenu, et le VDAB a négocié avec le Conseil régional de Dunkerque un marché pour "
            "une formation de maçon dans la région de Dunkerque, le profil le plus demandé sur le "
            "marché du travail autour de Furnes. La maçonnerie n'étant pas une formation de base "
            "en France, ce contenu a été ajouté au marché. Avec les chargés de relations "
            "entreprises du VDAB et les partenaires d'Emploi sans frontières, les sorties vers "
            "des stages et des emplois en Flandre sont encouragées.",
        ),
        outcomes_expected_on=D(2019, 1, 1),
        outcomes_note=(
            "outflow expected early 2019",
            "uitstroom voorzien begin 2019",
            "sorties prévues début 2019",
        ),
    ),
    # Grenzeloos Competent: the rest of what the answer tells of agro-food
    DemoAction(
        "gc-2018-maintenance-food-immersion",
        GC,
        ActionType.TRAINING,
        ActionStatus.ONGOING,
        (
            "Food-sector immersion in maintenance-mechanic training",
            "Onderdompeling in de voedingssector in de opleiding onderhoudsmecanicien",
            "Immersion dans le secteur alimentaire en formation de mécanicien d'entretien",
        ),
        2018,
        organisers=["le-forem"],
        # The regular (general) maintenance-mechanic training, an industry trade; the
        # immersion in the food sector is what the project adds to it.
        sector="industry",
        work_package="WP-TRAINING",
        description=(
            "West Flanders needs maintenance mechanics as much as operators: an immersion in the "
            "food sector is added to the regular vocational training of the training partners, "
            "already running at Le Forem and at the training partner in France.",
            "West-Vlaanderen vraagt niet alleen operatoren maar ook onderhoudsmecaniciens: aan de "
            "reguliere beroepsopleiding van de opleidingspartners wordt een onderdompeling in de "
            "voedingssector toegevoegd, al lopend bij Le Forem en bij de opleidingspartner in "
            "Frankrijk.",
            "La Flandre occidentale recherche autant de mécaniciens d'entretien que d'opérateurs : "
            "une immersion dans le secteur alimentaire est ajoutée à la formation professionnelle "
            "ordinaire des partenaires de formation, déjà en cours au Forem et chez le partenaire "
            "de formation en France.",
        ),
    ),
    DemoAction(
        "gc-2018-maintenance-food-immersion-vdab",
        GC,
        ActionType.TRAINING,
        ActionStatus.PLANNED,
        (
            "Food-sector immersion in maintenance-mechanic training (VDAB)",
            "Onderdompeling in de voedingssector in de opleiding onderhoudsmecanicien (VDAB)",
            "Immersion dans le secteur alimentaire en formation de mécanicien d'entretien (VDAB)",
        ),
        2018,
        period_month=9,
        period_note=AUTUMN,
        organisers=["vdab"],
        sector="industry",
        work_package="WP-TRAINING",
    ),
    DemoAction(
        "gc-2018-discovery-days-agro-food",
        GC,
        ActionType.DISCOVERY_DAY,
        ActionStatus.PLANNED,
        (
            "Cross-border discovery days in agro-food",
            "Grensoverschrijdende ontdekkingsdagen agrovoeding",
            "Journées découverte transfrontalières en agroalimentaire",
        ),
        2018,
        period_note=("three a year", "drie per jaar", "trois par an"),
        organisers=THREE_PES,
        sector="agro-food",
        work_package="WP-TRAINING",
        description=(
            "Besides the trainings, 3 cross-border discovery days a year bring a new inflow of "
            "jobseekers into the sector.",
            "Naast de opleidingen zorgen 3 grensoverschrijdende ontdekkingsdagen per jaar voor "
            "een nieuwe instroom van werkzoekenden in de sector.",
            "Outre les formations, 3 journées découverte transfrontalières par an amènent de "
            "nouveaux demandeurs d'emploi vers le secteur.",
        ),
    ),
    DemoAction(
        "gc-2018-info-moment-companies",
        GC,
        ActionType.INFO_SESSION,
        ActionStatus.PLANNED,
        (
            "Info moment for companies",
            "Infomoment voor bedrijven",
            "Moment d'information pour les entreprises",
        ),
        2018,
        period_month=5,
        period_note=("May", "mei", "mai"),
        organisers=["vdab"],
        sector="agro-food",
        description=(
            "Further training of the staff of food companies is being explored: with the support "
            "of the sector fund Alimento, the training can aim at a higher profile.",
            "Verdere bijscholing van personeel van voedingsbedrijven wordt onderzocht: met de "
            "steun van het sectorfonds Alimento kan de opleiding naar een hoger profiel mikken.",
            "Le perfectionnement du personnel des entreprises alimentaires est à l'étude : avec "
            "le soutien du fonds sectoriel Alimento, la formation peut viser un profil plus "
            "élevé.",
        ),
    ),
    DemoAction(
        "gc-2018-breakfast-alimento",
        GC,
        ActionType.INFO_SESSION,
        ActionStatus.PLANNED,
        (
            "Breakfast session with Alimento",
            "Ontbijtsessie met Alimento",
            "Petit-déjeuner avec Alimento",
        ),
        2018,
        start=D(2018, 6, 6),
        organisers=["vdab", "alimento"],
        sector="agro-food",
        description=(
            "A breakfast session for food companies on support in HR topics, where a guide to "
            "interregional recruitment will be presented.",
            "Een ontbijtsessie voor de voedingsbedrijven rond ondersteuning in HR-topics, waar "
            "een handleiding rond interregionale rekrutering wordt voorgesteld.",
            "Un petit-déjeuner pour les entreprises alimentaires sur l'appui en matière de "
            "ressources humaines, où un guide du recrutement interrégional sera présenté.",
        ),
    ),
    # Question 5: the seminars of April 2018.
    DemoAction(
        "gt-2018-staff-seminar-13-april",
        GT,
        ActionType.STAFF_SEMINAR,
        ActionStatus.PLANNED,
        (
            "Seminar for Entreprendre Ensemble and coastal partners",
            "Seminarie voor Entreprendre Ensemble en partners van de kust",
            "Séminaire pour Entreprendre Ensemble et les partenaires du littoral",
        ),
        2018,
        start=D(2018, 4, 13),
        organisers=["vdab"],
        presenters=["vdab"],
        description=STAFF_SEMINAR_APRIL_2018,
    ),
    DemoAction(
        "gt-2018-staff-seminar-20-april",
        GT,
        ActionType.STAFF_SEMINAR,
        ActionStatus.PLANNED,
        (
            "Seminar for Entreprendre Ensemble and coastal partners (2)",
            "Seminarie voor Entreprendre Ensemble en partners van de kust (2)",
            "Séminaire pour Entreprendre Ensemble et les partenaires du littoral (2)",
        ),
        2018,
        start=D(2018, 4, 20),
        organisers=["vdab"],
        presenters=["vdab"],
        description=STAFF_SEMINAR_APRIL_2018,
    ),
    # AB Réfugiés (question 4)
    DemoAction(
        "abr-2018-guidance-refugees",
        "ab-refugies",
        ActionType.GUIDANCE_COHORT,
        ActionStatus.PLANNED,
        (
            "Guidance path for refugees (Flemish side)",
            "Begeleidingstraject voor vluchtelingen (Vlaamse kant)",
            "Parcours d'accompagnement pour réfugiés (côté flamand)",
        ),
        2018,
        period_month=3,
        period_note=(
            "in the coming weeks (spring 2018)",
            "in de komende weken (voorjaar 2018)",
            "dans les semaines à venir (printemps 2018)",
        ),
        organisers=["vdab"],
        # 6 refugees interested in starting.
        records=REFUGEE_RECORDS,
    ),
]

DEMO_USERS = [
    # username, role, organisation, staff (admin access)
    ("coordinator", COORDINATOR, "vdab", True),
    ("manager", MANAGER, "vdab", False),
    ("partner-vdab", PARTNER, "vdab", False),
    ("partner-le-forem", PARTNER, "le-forem", False),
    ("partner-pole-emploi", PARTNER, "pole-emploi", False),
]


def _differs(current: Any, wanted: Any) -> bool:
    """Whether a stored value differs from the demo's. A translation column a row was saved
    without holds NULL, which is the demo's empty text: rewriting it would change nothing but
    could be refused (a figure in an approved period), so it is no difference."""
    if isinstance(wanted, str) and current is None:
        return wanted != ""
    return bool(current != wanted)


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """Create the row, or update it only where it differs (so a rerun writes nothing)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj
    changed = [name for name, value in values.items() if _differs(getattr(obj, name), value)]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
    return obj


def load_demo(*, with_users: bool) -> list[tuple[str, str, str]]:
    """Load the demo; returns the demo logins (username, password, role) when users are made."""
    # The services write a translated field (a figure's note) in the active language: the demo
    # writes each language's column itself, and the rest in the default language, whatever
    # language the caller runs in.
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        return _load_demo(with_users=with_users)


@transaction.atomic
def _load_demo(*, with_users: bool) -> list[tuple[str, str, str]]:
    for values in PROGRAMMES:
        _upsert(
            Programme, {"slug": values["slug"]}, {k: v for k, v in values.items() if k != "slug"}
        )
    programme = Programme.objects.get(slug="interreg-v-fwvl")

    orgs: dict[str, Organisation] = {}
    for slug, name, kind, country, territory, city, activity in ORGANISATIONS:
        orgs[slug] = _upsert(
            Organisation,
            {"slug": slug},
            {
                "name": name,
                "kind": kind,
                "country": country,
                "territory": territory,
                "city": city,
                **dict(in_languages("activity", activity)),
            },
        )
    for slug, name, until in FORMER_NAMES:
        _upsert(FormerName, {"organisation": orgs[slug], "name": name}, {"used_until": until})

    offices: dict[str, Office] = {}
    for slug, org, name, city in OFFICES:
        offices[slug] = _upsert(
            Office, {"slug": slug}, {"organisation": orgs[org], "name": name, "city": city}
        )
    for office, partner in OFFICE_PAIRS:
        _upsert(
            BorderOfficePair, {"office": offices[office], "partner_office": offices[partner]}, {}
        )

    projects: dict[str, Project] = {}
    work_packages: dict[tuple[str, str], WorkPackage] = {}
    for demo_project in PROJECTS:
        project = _upsert(
            Project,
            {"slug": demo_project.slug},
            {
                "programme": programme,
                "starts_on": demo_project.starts_on,
                **dict(in_languages("name", demo_project.name)),
                **dict(in_languages("summary", demo_project.summary)),
                **dict(in_languages("state_note", demo_project.state_note)),
            },
        )
        projects[project.slug] = project
        for org, role in demo_project.partners:
            _upsert(ProjectPartner, {"project": project, "organisation": orgs[org]}, {"role": role})
        for wp in demo_project.work_packages:
            work_packages[(project.slug, wp.code)] = _upsert(
                WorkPackage,
                {"project": project, "code": wp.code},
                {
                    **dict(in_languages("name", wp.name)),
                    "coordinator": orgs[wp.coordinator] if wp.coordinator else None,
                },
            )

    sectors = {
        slug: _upsert(Sector, {"slug": slug}, {"name_en": en, "name_nl": nl, "name_fr": fr})
        for slug, en, nl, fr in SECTORS
    }
    certificates = {
        slug: _upsert(
            Certificate,
            {"slug": slug},
            {"name_en": en, "name_nl": nl, "name_fr": fr, "country": country},
        )
        for slug, en, nl, fr, country in CERTIFICATES
    }
    indicators = {
        indicator.code: _upsert(
            Indicator,
            {"code": indicator.code},
            {
                "unit": indicator.unit,
                "rule": indicator.rule,
                # What the rule counts, as Indicator.clean() writes it.
                "source": str(RULE_COUNTS[indicator.rule][0]),
                "action_types": list(RULE_COUNTS[indicator.rule][1]),
                **dict(in_languages("name", indicator.name)),
                **dict(in_languages("definition", indicator.definition)),
            },
        )
        for indicator in INDICATORS
    }
    for project_slug, code, target_kind, year, value in TARGETS:
        _upsert(
            Target,
            {
                "project": projects[project_slug],
                "indicator": indicators[code],
                "kind": target_kind,
                "year": year,
            },
            {"value": value},
        )

    for demo in ACTIONS:
        _load_action(demo, projects, work_packages, orgs, offices, sectors, certificates)

    if not with_users:
        return []
    logins = _load_users(orgs)
    _load_periods()
    return logins


# The reporting periods of the demo that are approved: (project, semester). Only with the users,
# since a step names who took it.
DEMO_APPROVED_PERIODS = [("grenzeloos-tewerkstellen", "2018-S1")]


def _load_periods() -> None:
    """The demo's approved periods, for each PES taking part: submitted (by VDAB's coordinator
    for VDAB, by the demo's superuser for the PES without a coordinator in the demo) and
    approved by the manager. A period already past a step is left there, so that loading twice
    adds no step."""
    users = {
        user.username: user
        for user in get_user_model().objects.filter(
            username__in=["admin", "coordinator", "manager"]
        )
    }
    for slug, semester in DEMO_APPROVED_PERIODS:
        periods_ensure(Project.objects.filter(slug=slug))
        for period in ReportingPeriod.objects.filter(project__slug=slug, semester=semester):
            submitter = users["coordinator" if period.pes.slug == "vdab" else "admin"]
            steps = [(TransitionKind.SUBMIT, submitter), (TransitionKind.APPROVE, users["manager"])]
            for kind, user in steps:
                if period.status_refusal(kind) is None:
                    period = period_transition(
                        period=period, kind=kind, user=user, comment="Demo data."
                    )


def _load_action(
    demo: DemoAction,
    projects: dict[str, Project],
    work_packages: dict[tuple[str, str], WorkPackage],
    orgs: dict[str, Organisation],
    offices: dict[str, Office],
    sectors: dict[str, Sector],
    certificates: dict[str, Certificate],
) -> None:
    values: dict[str, Any] = {
        "project": projects[demo.project],
        "work_package": work_packages[(demo.project, demo.work_package)]
        if demo.work_package
        else None,
        "action_type": demo.action_type,
        "status": demo.status,
        **demo.translated(),
        "year": demo.year,
        "semester": demo.period_semester,
        "period_month": demo.period_month,
        "start_date": demo.start,
        "end_date": demo.end,
        "online": demo.online,
        "sector": sectors[demo.sector] if demo.sector else None,
        "language_hours": demo.language_hours,
        "duration_days": demo.duration_days,
        "capacity": demo.capacity,
        "workshops": demo.workshops,
        "outcomes_expected_on": demo.outcomes_expected_on,
    }
    relations: dict[str, list[Any]] = {
        "organisers": [orgs[slug] for slug in demo.organisers],
        "offices": [offices[slug] for slug in demo.offices],
        "certificates": [certificates[slug] for slug in demo.certificates],
    }
    action = Action.objects.filter(reference=demo.reference).first()
    if action is None:
        action = action_create(reference=demo.reference, **values, **relations)
    else:
        # Only what differs, so that a rerun writes nothing.
        changed = {
            name: value for name, value in values.items() if _differs(getattr(action, name), value)
        }
        changed_relations: dict[str, Any] = {
            name: objects
            for name, objects in relations.items()
            if {o.pk for o in getattr(action, name).all()} != {o.pk for o in objects}
        }
        if changed or changed_relations:
            action_update(action=action, **changed, **changed_relations)
    # Who taught, tested or presented: organisations named by the story, set only when they
    # differ (a rerun writes nothing).
    for name, slugs in (
        ("taught_by", demo.taught_by),
        ("tested_by", demo.tested_by),
        ("presenters", demo.presenters),
    ):
        related = getattr(action, name)
        if {o.pk for o in related.all()} != {orgs[slug].pk for slug in slugs}:
            related.set([orgs[slug] for slug in slugs])
    kept: list[int] = []
    for metric, pes, value, lower_bound, note in demo.figures:
        figure, _created = figure_upsert(
            action=action,
            metric=metric,
            pes=orgs[pes] if pes else None,
            value=value,
            is_lower_bound=lower_bound,
            note=note[0],
        )
        # figure_upsert wrote the note in the default language (see load_demo); the others here.
        _upsert(Figure, {"pk": figure.pk}, dict(in_languages("note", note)))
        kept.append(figure.pk)
    # A figure an earlier demo gave and this one no longer does (the fair's visitors counted as
    # starts before `reached` existed) would count beside the new one: it goes, with a reason.
    for stale in action.figures.exclude(pk__in=kept).order_by("pk"):
        figure_delete(figure=stale, reason="No longer in the demo.", user=None)
    _load_records(action, demo.records, orgs)
    for employer in demo.employers:
        _upsert(
            ActionEmployer,
            {"action": action, "organisation": orgs[employer.organisation]},
            {
                "vacancies": employer.vacancies,
                "hires": employer.hires,
                "hired_within_days": employer.hired_within_days,
            },
        )
    for title, employer_slug, positions in demo.jobs:
        _upsert(
            JobOffer,
            {"action": action, "title_en": title[0]},
            {
                "title_nl": title[1],
                "title_fr": title[2],
                "employer": orgs[employer_slug] if employer_slug else None,
                "positions": positions,
            },
        )


def _load_records(action: Action, records: list[DemoRecord], orgs: dict[str, Organisation]) -> None:
    """The action's participation records and their jobseekers, through their services, which
    save only what differs (a rerun writes nothing) after full_clean (every rule of
    Participation holds, the follow-ups' included). After the stale figures went: a PES keeps
    records of an action only once it gives no figures of its jobseekers there
    (Action.records_refusal)."""
    for record in records:
        person = record.jobseeker
        jobseeker, _created = jobseeker_upsert(
            pes=orgs[person.pes],
            external_ref=person.external_ref,
            given_name=person.given_name,
            family_name=person.family_name,
            birth_year=person.birth_year,
            gender=person.gender,
            education_level=person.education_level,
            is_refugee=person.is_refugee,
        )
        started = record.status != ParticipationStatus.INTERESTED
        values: dict[str, Any] = {
            "entry_status": record.entry_status,
            "unemployment_duration": record.unemployment_duration,
            "placed_on": record.placed_on,
        }
        for kind, follow_up in (
            ("on_leaving", record.on_leaving),
            ("six_months", record.six_months),
        ):
            fields = Participation.FOLLOW_UP_FIELDS[kind]
            values.update(zip(fields, follow_up or ("", None, ""), strict=True))
        participation_upsert(
            action=action,
            jobseeker=jobseeker,
            status=record.status,
            started_on=action.start_date if started else None,
            **values,
        )


def _load_users(orgs: dict[str, Organisation]) -> list[tuple[str, str, str]]:
    groups = ensure_roles()
    user_model = get_user_model()
    logins = []
    admin = user_model.objects.filter(username="admin").first()
    if admin is None:
        user_model.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
    logins.append(("admin", DEMO_PASSWORD, "superuser"))
    for username, role, org, staff in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_user(
                username, f"{username}@example.org", DEMO_PASSWORD, is_staff=staff
            )
        if not user.groups.filter(pk=groups[role].pk).exists():
            user.groups.add(groups[role])
        _upsert(Membership, {"user": user}, {"organisation": orgs[org]})
        logins.append((username, DEMO_PASSWORD, f"{role} ({orgs[org].name})"))
    return logins
