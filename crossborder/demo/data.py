"""The demo: every fact of written question 443 (2018) of the Flemish Parliament, as data.

The source is `shared/domain/parliamentary-answer-443-2018.nl.txt`; the brief beside it lists each
fact in English. Loading is idempotent: rows are found by their slug or reference and only saved
when something differs, so a second run writes nothing (not even audit-trail entries). Actions
and their figures are written through their services; the rows that have none (programmes,
organisations, projects and their parts, employers present, jobs, users) through _upsert, which
checks each with full_clean() as the admin's forms do.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction

from actions.models import Action, ActionEmployer, Certificate, JobOffer, Sector
from actions.services import action_create, action_update, figure_upsert
from crossborder.core.metrics import Metric
from crossborder.core.periods import semester_of
from crossborder.core.vocabulary import ActionStatus, ActionType, OrganisationKind
from projects.models import (
    BorderOfficePair,
    FormerName,
    Indicator,
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

PES, PARTNER_ORG, COMPANY = OrganisationKind.PES, OrganisationKind.PARTNER, OrganisationKind.COMPANY
ORGANISATIONS = [
    ("vdab", "VDAB", PES, "BE", "Flanders", "Brussel", "public employment service of Flanders"),
    (
        "le-forem",
        "Le Forem",
        PES,
        "BE",
        "Wallonia",
        "Charleroi",
        "public employment service of Wallonia",
    ),
    (
        "pole-emploi",
        "France Travail",
        PES,
        "FR",
        "Hauts-de-France",
        "",
        "public employment service of France",
    ),
    ("ivr", "IVR", PARTNER_ORG, "BE", "", "", "interregional trade-union council"),
    ("unizo", "UNIZO", PARTNER_ORG, "BE", "", "", "employers' organisation"),
    ("voka", "Voka", PARTNER_ORG, "BE", "", "", "employers' organisation"),
    (
        "mde-lys-tourcoing",
        "MDE Lys-Tourcoing",
        PARTNER_ORG,
        "FR",
        "",
        "Tourcoing",
        "house of employment",
    ),
    (
        "entreprendre-ensemble",
        "Entreprendre Ensemble",
        PARTNER_ORG,
        "FR",
        "",
        "Dunkerque",
        "employment and business support",
    ),
    ("cobot", "COBOT", PARTNER_ORG, "BE", "", "", "textiles training centre"),
    (
        "pti-kortrijk",
        "PTI Kortrijk",
        PARTNER_ORG,
        "BE",
        "",
        "Kortrijk",
        "technical school (textiles)",
    ),
    (
        "conseil-regional-dunkerque",
        "Conseil régional de Dunkerque",
        PARTNER_ORG,
        "FR",
        "",
        "Dunkerque",
        "public authority",
    ),
    ("alimento", "Alimento", PARTNER_ORG, "BE", "", "", "training fund of the food sector"),
    ("ghyvelde", "Commune de Ghyvelde", PARTNER_ORG, "FR", "", "Ghyvelde", "municipality"),
    ("koraton", "Koraton", COMPANY, "BE", "", "Kortrijk", "construction"),
    ("vandeputte", "Vandeputte", COMPANY, "BE", "", "Mouscron", "oil and soap"),
    ("wepa", "Wepa", COMPANY, "FR", "", "Bousbecque", "toilet paper"),
]
FORMER_NAMES = [("pole-emploi", "Pôle emploi", D(2023, 12, 31))]

OFFICES = [
    ("vdab-veurne", "vdab", "VDAB Veurne", "Veurne"),
    ("vdab-ieper", "vdab", "VDAB Ieper", "Ieper"),
    ("vdab-kortrijk", "vdab", "VDAB Kortrijk", "Kortrijk"),
    ("vdab-rekkem", "vdab", "VDAB training centre Rekkem", "Rekkem"),
    ("pe-dunkerque", "pole-emploi", "Pôle emploi Dunkerque", "Dunkerque"),
    ("pe-armentieres", "pole-emploi", "Pôle emploi Armentières", "Armentières"),
    ("pe-wattrelos", "pole-emploi", "Pôle emploi Wattrelos", "Wattrelos"),
    ("pe-halluin", "pole-emploi", "Pôle emploi Halluin", "Halluin"),
]
OFFICE_PAIRS = [
    ("pe-dunkerque", "vdab-veurne"),
    ("pe-armentieres", "vdab-ieper"),
    ("pe-wattrelos", "vdab-kortrijk"),
    ("pe-halluin", "vdab-kortrijk"),
]

PROJECTS: list[dict[str, Any]] = [
    {
        "slug": "grenzeloos-tewerkstellen",
        "name_nl": "Grenzeloos Tewerkstellen",
        "name_fr": "Emploi sans frontières",
        "name_en": "Employment without borders",
        "summary_en": "Cross-border guidance cohorts, jobdatings, company visits and cross-border trainings.",
        "summary_nl": "Grensoverschrijdende begeleidingsacties, jobdatings, bedrijfsbezoeken en opleidingen.",
        "summary_fr": "Actions d'accompagnement, jobdatings, visites d'entreprise et formations transfrontalières.",
        "starts_on": None,
        "partners": [
            ("vdab", PartnerRole.PARTNER),
            ("le-forem", PartnerRole.PARTNER),
            ("pole-emploi", PartnerRole.PARTNER),
            ("ivr", PartnerRole.ASSOCIATED),
            ("unizo", PartnerRole.ASSOCIATED),
            ("voka", PartnerRole.ASSOCIATED),
            ("mde-lys-tourcoing", PartnerRole.ASSOCIATED),
        ],
        "work_packages": [],
    },
    {
        "slug": "grenzeloos-competent",
        "name_nl": "Grenzeloos Competent",
        "name_fr": "Compétences sans frontières",
        "name_en": "Competences without borders",
        "summary_en": "Cross-border trainings with a language part and a certificate recognised on both sides, in agro-food, (sustainable) construction and textiles; a socio-economic observatory.",
        "summary_nl": "Opleidingen met een taalcomponent en een grensoverschrijdend erkend certificaat in agrovoeding, (duurzaam) bouwen en textiel; een socio-economisch observatorium.",
        "summary_fr": "Formations avec un volet linguistique et un certificat reconnu des deux côtés, en agroalimentaire, construction (durable) et textile ; un observatoire socio-économique.",
        "starts_on": None,
        "partners": [
            ("vdab", PartnerRole.PARTNER),
            ("le-forem", PartnerRole.PARTNER),
            ("pole-emploi", PartnerRole.PARTNER),
            ("entreprendre-ensemble", PartnerRole.PARTNER),
            ("cobot", PartnerRole.ASSOCIATED),
            ("pti-kortrijk", PartnerRole.ASSOCIATED),
            ("conseil-regional-dunkerque", PartnerRole.ASSOCIATED),
            ("alimento", PartnerRole.ASSOCIATED),
        ],
        "work_packages": [
            {
                "code": "WP-TRAINING",
                "name_en": "Development of cross-border trainings",
                "name_nl": "Ontwikkeling van grensoverschrijdende opleidingen",
                "name_fr": "Développement de formations transfrontalières",
                "coordinator": "vdab",
            },
            {
                "code": "WP-OBSERVATORY",
                "name_en": "Cross-border socio-economic observatory",
                "name_nl": "Grensoverschrijdend socio-economisch observatorium",
                "name_fr": "Observatoire socio-économique transfrontalier",
                "coordinator": None,
            },
        ],
    },
    {
        "slug": "actemploi",
        "name_nl": "Act'emploi",
        "name_fr": "Act'emploi",
        "name_en": "Act'emploi",
        "summary_en": "Low-qualified jobseekers into the care and personal-services sector through cross-border training, job coaching and guidance. VDAB is the only Flemish partner; by spring 2018 no French jobseekers had started yet.",
        "summary_nl": "Laaggeschoolde werkzoekenden naar de zorgsector via grensoverschrijdende opleidingen, jobcoaching en begeleiding. VDAB is de enige Vlaamse partner.",
        "summary_fr": "Des demandeurs d'emploi peu qualifiés vers les services à la personne par la formation transfrontalière, le coaching et l'accompagnement.",
        "starts_on": D(2018, 1, 1),
        "partners": [("vdab", PartnerRole.PARTNER)],
        "work_packages": [],
    },
    {
        "slug": "ab-refugies",
        "name_nl": "AB Réfugiés",
        "name_fr": "AB Réfugiés",
        "name_en": "AB Réfugiés",
        "summary_en": "Fast, lasting labour-market entry of refugees: work-place learning, joint language courses, an app of job terms, employer awareness.",
        "summary_nl": "Snelle en duurzame instroom van vluchtelingen: werkplekleren, gemeenschappelijke taalopleidingen, een app met beroepstermen, sensibilisering van werkgevers.",
        "summary_fr": "Insertion rapide et durable des réfugiés : apprentissage sur le lieu de travail, cours de langue communs, une application de termes métiers, sensibilisation des employeurs.",
        "starts_on": D(2018, 1, 1),
        "partners": [("vdab", PartnerRole.PARTNER)],
        "work_packages": [],
    },
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
        "CACES (forklift, France)",
        "CACES (heftruck, Frankrijk)",
        "CACES (chariot élévateur)",
        "FR",
    ),
    (
        "be-forklift",
        "Belgian forklift certificate",
        "Belgisch attest heftruckchauffeur",
        "attestation belge de cariste",
        "BE",
    ),
]

# Interreg common indicators that the actions feed (domain brief) and illustrative demo targets:
# the answer gives no targets, so these only show how targets and progress read.
INDICATORS = [
    (
        "RCO81",
        "participations",
        "starts",
        [
            "guidance_cohort",
            "jobdating",
            "company_visit",
            "job_fair",
            "training",
            "discovery_day",
            "info_session",
        ],
        "Participations in joint actions across borders",
        "Deelnames aan gezamenlijke grensoverschrijdende acties",
        "Participations à des actions conjointes transfrontalières",
    ),
    (
        "RCO85",
        "participations",
        "starts",
        ["training"],
        "Participations in joint training schemes",
        "Deelnames aan gezamenlijke opleidingsprogramma's",
        "Participations à des programmes de formation conjoints",
    ),
    (
        "RCO115",
        "events",
        "actions",
        ["jobdating", "company_visit", "job_fair", "info_session"],
        "Public events across borders jointly organised",
        "Gezamenlijk georganiseerde grensoverschrijdende publieke evenementen",
        "Événements publics transfrontaliers organisés conjointement",
    ),
    (
        "RCO87",
        "organisations",
        "partners",
        [],
        "Organisations cooperating across borders",
        "Organisaties die grensoverschrijdend samenwerken",
        "Organisations coopérant par-delà les frontières",
    ),
    (
        "RCR81",
        "participants",
        "completions",
        ["training"],
        "Completion of joint training schemes",
        "Voltooiing van gezamenlijke opleidingsprogramma's",
        "Achèvement de programmes de formation conjoints",
    ),
]
TARGETS = [
    ("grenzeloos-tewerkstellen", "RCO81", TargetKind.MILESTONE, 2018, 150),
    ("grenzeloos-tewerkstellen", "RCO81", TargetKind.FINAL, 2020, 400),
    ("grenzeloos-tewerkstellen", "RCO115", TargetKind.MILESTONE, 2018, 4),
    ("grenzeloos-tewerkstellen", "RCO115", TargetKind.FINAL, 2020, 12),
    ("grenzeloos-tewerkstellen", "RCO87", TargetKind.FINAL, 2020, 8),
    ("grenzeloos-competent", "RCO85", TargetKind.MILESTONE, 2018, 40),
    ("grenzeloos-competent", "RCO85", TargetKind.FINAL, 2020, 120),
    ("grenzeloos-competent", "RCR81", TargetKind.FINAL, 2020, 90),
]


@dataclass
class DemoAction:
    reference: str
    project: str
    action_type: str
    status: str
    titles: tuple[str, str, str]  # en, nl, fr
    year: int
    semester: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    period_note: str = ""
    place: str = ""
    online: bool = False
    offices: list[str] = field(default_factory=list)
    organisers: list[str] = field(default_factory=list)
    sector: str | None = None
    work_package: str | None = None
    language_hours: int | None = None
    duration_days: int | None = None
    capacity: int | None = None
    certificates: list[str] = field(default_factory=list)
    cancellation_reason: str = ""
    description: str = ""
    # (metric, pes slug or None for an unsplit figure, value, lower bound, note)
    figures: list[tuple[str, str | None, int, bool, str]] = field(default_factory=list)
    employers: list[tuple[str, int | None]] = field(default_factory=list)
    jobs: list[tuple[str, str | None, int | None]] = field(default_factory=list)


M = Metric
THREE_PES = ["vdab", "le-forem", "pole-emploi"]
GT, GC = "grenzeloos-tewerkstellen", "grenzeloos-competent"
COHORT_DESCRIPTION = (
    "At most 3 months, at most 12 jobseekers; 12 thematic workshops alternating in France and "
    "Belgium, 40 hours of language training, a mid-way and a final review. IVR union advisers "
    "lead a workshop on the practical side of cross-border work (tax, social security)."
)

ACTIONS = [
    DemoAction(
        "gt-2017-cohort-lkt",
        GT,
        ActionType.GUIDANCE_COHORT,
        ActionStatus.COMPLETED,
        ("Guidance cohort LKT", "Begeleidingsactie LKT", "Action d'accompagnement LKT"),
        2017,
        start=D(2017, 4, 27),
        end=D(2017, 7, 27),
        place="LKT",
        organisers=THREE_PES,
        language_hours=40,
        capacity=12,
        description=COHORT_DESCRIPTION,
        figures=[
            (M.STARTS, "pole-emploi", 5, False, ""),
            (M.STARTS, "le-forem", 4, False, ""),
            (M.STARTS, "vdab", 1, False, ""),
            (M.PLACEMENTS, None, 3, False, "found work after the action"),
        ],
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
        place="Veurne/Dunkerque",
        offices=["vdab-veurne", "pe-dunkerque"],
        organisers=THREE_PES,
        language_hours=40,
        capacity=12,
        description=COHORT_DESCRIPTION,
        figures=[
            (M.STARTS, "pole-emploi", 6, False, ""),
            (M.STARTS, "vdab", 3, False, ""),
            (M.PLACEMENTS, None, 6, False, "found work after the action"),
        ],
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
        place="Eurometropolis",
        organisers=["mde-lys-tourcoing", *THREE_PES, "unizo", "ivr"],
        sector="industry",
        description="Pre-screened French and Belgian jobseekers visit three companies recruiting on both sides of the border; they could hand in their CV after the visit.",
        figures=[
            (M.STARTS, "le-forem", 8, False, "pre-screened jobseekers"),
            (M.STARTS, "pole-emploi", 10, False, "pre-screened jobseekers"),
            (M.STARTS, "vdab", 2, False, "pre-screened jobseekers"),
            (M.HIRES, None, 2, False, "within the week, at Koraton"),
        ],
        employers=[("koraton", None), ("vandeputte", None), ("wepa", None)],
        jobs=[
            ("maintenance technician", None, None),
            ("line operator", None, None),
            ("production operator", None, None),
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
        place="Veurne",
        offices=["vdab-veurne"],
        organisers=["vdab", "pole-emploi"],
        sector="logistics",
        description="6 stands: 3 companies and 3 (in-house) temporary-work agencies.",
        figures=[
            (M.STARTS, "pole-emploi", 35, False, "jobseekers from France"),
            (M.STARTS, "vdab", 11, False, "jobseekers from Flanders"),
            (M.EMPLOYERS, None, 3, False, "companies at a stand"),
            (M.AGENCIES, None, 3, False, "in-house temporary-work agencies"),
            (M.VACANCIES, None, 17, False, ""),
            (M.HIRES, None, 7, False, ""),
        ],
        jobs=[
            ("warehouse worker", None, None),
            ("order picker", None, None),
            ("packer", None, None),
            ("forklift driver", None, None),
            ("production operator", None, None),
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
        place="VDAB Ieper",
        offices=["vdab-ieper"],
        organisers=["vdab", "pole-emploi"],
        sector="industry",
        certificates=["european-welder"],
        cancellation_reason="No benefit-eligible French candidates were found with basic Dutch or willing to learn it.",
        description="At VDAB Ieper one can obtain the European welder certificate. Welder is also a shortage occupation in France.",
    ),
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
        organisers=["vdab", "unizo", "voka", "ivr"],
        description="VDAB informed Pôle emploi staff and French partners; UNIZO, Voka and IVR presented too.",
    ),
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
        language_hours=40,
        capacity=12,
        description=COHORT_DESCRIPTION,
        figures=[
            (M.STARTS, "vdab", 3, False, ""),
            (M.STARTS, "le-forem", 5, False, ""),
            (M.STARTS, "pole-emploi", 3, False, ""),
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
        place="Veurne/Dunkerque",
        offices=["vdab-veurne", "pe-dunkerque"],
        organisers=THREE_PES,
        capacity=12,
        description=COHORT_DESCRIPTION,
    ),
    DemoAction(
        "gt-2018-company-visits-bus",
        GT,
        ActionType.COMPANY_VISIT,
        ActionStatus.PLANNED,
        ("Company visits by bus", "Bedrijfsbezoeken met de bus", "Visites d'entreprises en bus"),
        2018,
        start=D(2018, 5, 31),
        place="by bus",
        organisers=[*THREE_PES, "unizo", "voka", "ivr"],
        description="Pre-screened jobseekers from the three regions.",
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
        place="online",
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
        semester="2018-S2",
        period_note="autumn",
        place="VDAB Rekkem",
        offices=["vdab-rekkem"],
        organisers=["vdab", "le-forem", "pole-emploi"],
        sector="logistics",
        capacity=12,
        duration_days=10,
        certificates=["be-forklift", "caces"],
        description="Two weeks of training by VDAB (in Dutch) and Le Forem (in French) instructors, after two weeks of intensive language training; a French training body tests the trainees for the CACES.",
    ),
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
        place="Dunkerque",
        organisers=["entreprendre-ensemble", "vdab", "pole-emploi"],
        description="VDAB and Pôle emploi gave, as a tandem, 2 workshops on the Flemish labour market and where its vacancies are found.",
        figures=[
            (M.STARTS, None, 200, True, "more than 200 jobseekers came by"),
            (M.AGENCIES, None, 6, False, "Flemish temporary-work agencies"),
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
        place="Ghyvelde",
        organisers=["ghyvelde", "vdab", "pole-emploi"],
        description="Mainly to inform people about working in Flanders and where to find its vacancies.",
        figures=[(M.AGENCIES, None, 3, False, "Flemish agencies registered by 12 April")],
    ),
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
        figures=[(M.STARTS, None, 5, False, "participants")],
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
        figures=[(M.STARTS, None, 8, False, "participants")],
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
        description="Outsourced by the Conseil régional de Dunkerque; includes one week at the Huis van de Voeding in Roeselare.",
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
        semester="2018-S2",
        period_note="autumn",
        organisers=["vdab", "le-forem"],
        sector="agro-food",
        work_package="WP-TRAINING",
    ),
    DemoAction(
        "gc-2017-textiles-cobot",
        GC,
        ActionType.TRAINING,
        ActionStatus.COMPLETED,
        ("Textiles training COBOT", "Opleiding textiel COBOT", "Formation textile COBOT"),
        2017,
        semester="2017-S2",
        period_note="December",
        place="PTI Kortrijk",
        organisers=["cobot", "pti-kortrijk"],
        sector="textiles",
        duration_days=5,
        work_package="WP-TRAINING",
        description="5 days: 2 of theory and 3 of practice at PTI Kortrijk; discovery days 1 to 2 weeks before.",
        figures=[(M.STARTS, None, 6, False, "participants")],
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
        semester="2018-S1",
        period_note="March",
        organisers=["cobot"],
        sector="textiles",
        work_package="WP-TRAINING",
        figures=[(M.STARTS, None, 7, False, "participants")],
    ),
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
        semester="2018-S1",
        period_note="June",
        place="Dunkerque region",
        organisers=["vdab", "pole-emploi"],
        sector="construction",
        work_package="WP-TRAINING",
        description="With a week of Dutch at VDAB; outflow to work expected early 2019.",
    ),
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
        organisers=["le-forem", "conseil-regional-dunkerque"],
        sector="agro-food",
        work_package="WP-TRAINING",
        description="Added to the regular maintenance-mechanic trainings by Le Forem and the French partner.",
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
        semester="2018-S2",
        period_note="autumn",
        organisers=["vdab"],
        sector="agro-food",
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
        period_note="three a year",
        organisers=["vdab", "le-forem", "pole-emploi"],
        sector="agro-food",
        work_package="WP-TRAINING",
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
        semester="2018-S1",
        period_note="May",
        sector="agro-food",
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
        organisers=["alimento"],
        sector="agro-food",
    ),
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
    ),
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
        period_note="in the coming weeks (spring 2018)",
        organisers=["vdab"],
        figures=[(M.INTERESTED, "vdab", 6, False, "refugees interested in starting")],
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


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """Create the row, or update it only where it differs (so a rerun writes nothing)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
    return obj


@transaction.atomic
def load_demo(*, with_users: bool) -> list[tuple[str, str, str]]:
    """Load the demo; returns the demo logins (username, password, role) when users are made."""
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
                "activity": activity,
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
    for values in PROJECTS:
        plain = {k: v for k, v in values.items() if k not in {"slug", "partners", "work_packages"}}
        project = _upsert(Project, {"slug": values["slug"]}, {**plain, "programme": programme})
        projects[project.slug] = project
        for org, role in values["partners"]:
            _upsert(ProjectPartner, {"project": project, "organisation": orgs[org]}, {"role": role})
        for wp in values["work_packages"]:
            coordinator = orgs[wp["coordinator"]] if wp["coordinator"] else None
            names = {k: v for k, v in wp.items() if k.startswith("name_")}
            work_packages[(project.slug, wp["code"])] = _upsert(
                WorkPackage,
                {"project": project, "code": wp["code"]},
                {**names, "coordinator": coordinator},
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
        code: _upsert(
            Indicator,
            {"code": code},
            {
                "unit": unit,
                "source": source,
                "action_types": types,
                "name_en": en,
                "name_nl": nl,
                "name_fr": fr,
            },
        )
        for code, unit, source, types, en, nl, fr in INDICATORS
    }
    for project, code, target_kind, year, value in TARGETS:
        _upsert(
            Target,
            {
                "project": projects[project],
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
    en, nl, fr = demo.titles
    values: dict[str, Any] = {
        "project": projects[demo.project],
        "work_package": work_packages[(demo.project, demo.work_package)]
        if demo.work_package
        else None,
        "action_type": demo.action_type,
        "status": demo.status,
        "title_en": en,
        "title_nl": nl,
        "title_fr": fr,
        "description_en": demo.description,
        "year": demo.year,
        "semester": semester_of(demo.start) if demo.start else demo.semester,
        "start_date": demo.start,
        "end_date": demo.end,
        "period_note": demo.period_note,
        "place": demo.place,
        "online": demo.online,
        "sector": sectors[demo.sector] if demo.sector else None,
        "language_hours": demo.language_hours,
        "duration_days": demo.duration_days,
        "capacity": demo.capacity,
        "cancellation_reason": demo.cancellation_reason,
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
        changed = {name: value for name, value in values.items() if getattr(action, name) != value}
        changed_relations: dict[str, Any] = {
            name: objects
            for name, objects in relations.items()
            if {o.pk for o in getattr(action, name).all()} != {o.pk for o in objects}
        }
        if changed or changed_relations:
            action_update(action=action, **changed, **changed_relations)
    for metric, pes, value, lower_bound, note in demo.figures:
        figure_upsert(
            action=action,
            metric=metric,
            pes=orgs[pes] if pes else None,
            value=value,
            is_lower_bound=lower_bound,
            note=note,
        )
    for org, vacancies in demo.employers:
        _upsert(
            ActionEmployer, {"action": action, "organisation": orgs[org]}, {"vacancies": vacancies}
        )
    for title, employer, positions in demo.jobs:
        _upsert(
            JobOffer,
            {"action": action, "title": title},
            {"employer": orgs[employer] if employer else None, "positions": positions},
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
