"""The authorization matrix: every role × every URL × an object of their own, of another user,
of another council and of another municipality gets the answer written in authz_matrix.csv.

The URLs are read from the URL conf, so a new URL without rows in the table fails
`test_every_url_has_rows_in_the_matrix`, which prints the rows to add (fill in `expected`).

Columns: url name, method, role, relation (own, other_user, other_council,
other_municipality, or - for URLs without an object), expected: 2xx, 3xx (a redirect
after success), login (a redirect to the login page), or the exact 4xx status.

The objects are private where the kind allows it: the priorities are hidden by a moderator,
so only their author and the municipality's staff may reach them.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role, RoleGrant
from areas.models import Area, AreaType, Municipality
from cases import services as case_services
from cases.models import CaseLayerFeature
from councils.models import SubmissionAttachment
from follows.models import Follow
from hearings import services as hearing_services
from priorities import services
from priorities.models import Category, Visibility
from tests.areas.factories import AreaFactory, CouncilFactory, council_secretary, square
from tests.budgets import authz as budgets_authz
from tests.budgets import round_authz
from tests.cases.factories import CaseFactory, CaseLayerFactory, ConsultationFactory
from tests.meetings import authz as meetings_authz
from tests.panels import authz as panels_authz
from tests.panels import survey_authz as panels_survey_authz
from tests.priorities.factories import (
    PASSWORD,
    ExportFactory,
    SubmissionFactory,
    UserFactory,
    staff,
)
from tests.support.pdfs import plain_pdf

MATRIX = Path(__file__).with_name("authz_matrix.csv")
ROLES = [
    "anonymous",
    "resident",
    "planner",
    "councillor",
    "council_secretary",
    "moderator",
    "administrator",
]
RELATIONS = ["own", "other_user", "other_council", "other_municipality"]
# Part B of the panels (members' area, information, sessions, survey): tests/panels.
PANELS_SURVEY_URLS = {
    "panels:member_home",
    "panels:survey_answer",
    "panels:survey_results",
    "panels:survey_edit",
    "panels:survey_state",
    "panels:information",
    "panels:information_edit",
    "panels:document",
    "panels:members",
    "panels:member_link_change",
    "panels:sessions",
    "panels:session_summary",
}
# URL names covered as a group by the rows of one representative: the admin's hundreds of
# model URLs sit behind the same is_staff gate as its index; allauth's and the social
# account pages are the login flow itself, represented by its entry pages.
GROUPS = {
    "admin:": "admin:index",
}
# allauth's pages reached only through a secret in the URL (the link in an e-mail, the
# provider's redirect): without the secret they answer nothing, and allauth tests them.
SECRET_LINKS = {
    "account_confirm_email",
    "account_reset_password_from_key",
    "openid_connect_callback",
    "openid_connect_login",
    # The one-click unsubscribe link of the follow e-mails: signed, tests/follows.
    "follows:unsubscribe",
    "meetings:follow_confirm",  # the signed link e-mailed to a participant (tests/meetings)
    # The signed link e-mailed with an answer sent without an account (tests/hearings).
    "hearings:answer_confirm",
    # A panel member's personal link (signed; guessed, revoked and replaced: tests/panels).
    "panels:member_enter",
}


# --- the URL conf ---------------------------------------------------------------------------


def url_names() -> dict[str, bool]:
    """Every named URL in the URL conf, namespaced (api:priority-list), and whether it takes
    an object (has parameters other than DRF's format suffix)."""
    names: dict[str, bool] = {}

    def walk(patterns, namespace: str, has_args: bool):
        for pattern in patterns:
            args = {name for name in pattern.pattern.regex.groupindex if name != "format"}
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, ns, has_args or bool(args))
            elif isinstance(pattern, URLPattern) and pattern.name:
                full = f"{namespace}{pattern.name}"
                names[full] = names.get(full, False) or has_args or bool(args)

    walk(get_resolver().url_patterns, "", False)
    return names


def covered_name(name: str) -> str:
    for prefix, representative in GROUPS.items():
        if name.startswith(prefix):
            return representative
    return name


def load_matrix() -> list[dict]:
    with MATRIX.open(newline="") as handle:
        return [row for row in csv.DictReader(handle) if not row["url"].startswith("#")]


# --- the world: two municipalities, councils, and one account per role ---------------------


@dataclass
class World:
    users: dict
    municipality: dict
    council: dict
    priority: dict
    submission: dict
    attachment: dict
    consultation: dict
    case: dict
    area: dict
    export: dict
    others: dict
    layer: dict
    choosable_area: dict
    reply: dict
    hearing: dict
    hearing_answer: dict
    hearing_document: dict
    hearing_attachment: dict
    follow: dict | None = None


def _hidden_priority(author, point: Point):
    priority = services.priority_create(
        author=author,
        point=point,
        category=Category.objects.get(slug="trafikksikkerhet"),
        title="Farlig kryss ved skolen",
        text="Bilene kjører fort her, og barna krysser hver morgen.",
    )
    priority.visibility = Visibility.HIDDEN
    priority.hidden_reason = "Personopplysninger"
    priority.save(update_fields=["visibility", "hidden_reason"])
    return priority


def _submission(secretary, council, area):
    submission = SubmissionFactory(
        author=secretary,
        council=council,
        kind="input",
        title="Innspill om skolevei",
        text="Rådet ber om gangfelt ved skolen.",
        meeting_date=timezone.localdate(),
        minutes_reference="Sak 1/26",
        areas=[area],
    )
    # Attachments are write-once (a trigger refuses updates): the file goes in with the row.
    attachment = SubmissionAttachment(
        submission=submission, name="protokoll.pdf", size=8, sha256="0" * 64
    )
    attachment.file.save("protokoll.pdf", ContentFile(b"%PDF-1.4"), save=False)
    attachment.save()
    return submission, attachment


def build_world(tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    bodo = Municipality.objects.get(code="1804")
    kommune = AreaType.objects.get(slug="kommune")
    other_area = AreaFactory(
        type=kommune,
        code="9901",
        name="Nabokommune",
        geom=square(300_000, 6_700_000, 5000),
        municipality=None,
    )
    other = Municipality.objects.filter(code="9901").first() or Municipality.objects.create(
        code="9901", name="Nabokommune"
    )
    Area.objects.filter(pk=other_area.pk).update(municipality=other)
    other_area.refresh_from_db()
    bodo_area = Area.objects.get(type__slug="kommune", code="1804")
    own_council = CouncilFactory(municipality=bodo, name="Rådet (eget)", areas=[bodo_area])
    other_council = CouncilFactory(municipality=bodo, name="Rådet (annet)", areas=[bodo_area])
    far_council = CouncilFactory(municipality=other, name="Rådet (nabo)", areas=[other_area])

    users = {"anonymous": None, "resident": UserFactory()}
    for role in ["planner", "councillor", "moderator", "administrator"]:
        users[role] = staff(role)
    users["council_secretary"] = council_secretary(own_council)
    others = {
        "resident": UserFactory(),
        "secretary": council_secretary(own_council),
        "other_secretary": council_secretary(other_council),
        "far_secretary": council_secretary(far_council),
        "far_resident": UserFactory(),
        "far_planner": staff(Role.PLANNER, code=other.code),
        "planner": staff(Role.PLANNER),
    }

    bodo_point = Point(14.385, 67.283, srid=4326)
    far_point = Point(302_500, 6_702_500, srid=25833)
    far_point.transform(4326)
    priority = {
        "other_user": _hidden_priority(others["resident"], bodo_point),
        "other_council": _hidden_priority(others["other_secretary"], bodo_point),
        "other_municipality": _hidden_priority(others["far_resident"], far_point),
    }
    for role, user in users.items():
        if user is not None:
            priority[("own", role)] = _hidden_priority(user, bodo_point)

    submission, attachment = {}, {}
    submission["own"], attachment["own"] = _submission(
        users["council_secretary"], own_council, bodo_area
    )
    submission["other_user"], attachment["other_user"] = _submission(
        others["secretary"], own_council, bodo_area
    )
    submission["other_council"], attachment["other_council"] = _submission(
        others["other_secretary"], other_council, bodo_area
    )
    submission["other_municipality"], attachment["other_municipality"] = _submission(
        others["far_secretary"], far_council, other_area
    )

    deadline = timezone.localdate() + datetime.timedelta(days=14)
    case_here = CaseFactory(
        municipality=bodo, number="2026/901", title="Skolevei", meeting_date=None
    )
    case_far = CaseFactory(municipality=other, number="2026/902", title="Havn", meeting_date=None)
    consultation = {}
    for relation, case, council in [
        ("own", case_here, own_council),
        ("other_user", case_here, own_council),
        ("other_council", case_here, other_council),
        ("other_municipality", case_far, far_council),
    ]:
        consultation[relation] = ConsultationFactory(
            case=case,
            deadline=deadline,
            summary="Hva mener rådet?",
            created_by=others["planner"],
            councils=[council],
        )

    # Each case has a frozen digest (version 1, with its PDF), an uploaded layer, and an
    # area of its municipality a planner may add to it.
    skolekrets = AreaType.objects.get(slug="skolekrets")
    bodo_utm = bodo_point.transform(25833, clone=True)
    layer, choosable_area = {}, {}
    for key, case, planner, municipality_, x, y in [
        ("here", case_here, others["planner"], bodo, bodo_utm.x, bodo_utm.y),
        ("far", case_far, others["far_planner"], other, 301_000, 6_701_000),
    ]:
        case_services.digest_freeze(actor=planner, case=case)
        layer[key] = CaseLayerFactory(case=case, name="Foreslått trasé", created_by=planner)
        CaseLayerFeature.objects.create(
            layer=layer[key], geom=Point(x, y, srid=25833), properties={"navn": "Trasé"}
        )
        choosable_area[key] = AreaFactory(
            type=skolekrets,
            name=f"Skolekrets ({key})",
            municipality=municipality_,
            geom=square(x - 500, y - 500, 1000),
        )

    # An elected member of each municipality has replied to each submission.
    councillors = {"here": users["councillor"], "far": staff(Role.COUNCILLOR, code=other.code)}
    reply = {
        relation: services.reply_create(
            submission[relation],
            councillors["far" if relation == "other_municipality" else "here"],
            "Jeg tar dette opp i kommunestyret.",
        )
        for relation in RELATIONS
    }

    # A hearing on each case whose answers wait for a moderator (not public), each answer
    # with a PDF; the hearing's own document is public.
    hearing_here, hearing_far = (
        hearing_services.hearing_open(
            actor=planner,
            case=case,
            title="Høring om skolevei",
            decision="Kommunestyret vedtar planen i mars.",
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate() + datetime.timedelta(days=14),
            publication="after_review",
            documents=[SimpleUploadedFile("plan.pdf", plain_pdf(), "application/pdf")],
        )
        for planner, case in [(others["planner"], case_here), (others["far_planner"], case_far)]
    )

    def _hearing_answer(author, hearing):
        return hearing_services.answer_submit(
            author=author,
            hearing=hearing,
            text="Skoleveien trenger gangfelt og lavere fart.",
            signed_name="Kari Nordmann",
            attachments=[SimpleUploadedFile("svar.pdf", plain_pdf(), "application/pdf")],
        )

    hearing_answer = {
        "other_user": _hearing_answer(others["resident"], hearing_here),
        "other_council": _hearing_answer(others["other_secretary"], hearing_here),
        "other_municipality": _hearing_answer(others["far_resident"], hearing_far),
    }
    for role, user in users.items():
        if user is not None:
            hearing_answer[("own", role)] = _hearing_answer(user, hearing_here)
    hearing = {
        relation: hearing_far if relation == "other_municipality" else hearing_here
        for relation in RELATIONS
    }

    export = {
        "other_user": ExportFactory(user=others["planner"], municipality=bodo),
        "other_council": ExportFactory(user=others["planner"], municipality=bodo),
        "other_municipality": ExportFactory(user=others["far_planner"], municipality=other),
    }
    for role, user in users.items():
        if user is not None:
            export[("own", role)] = ExportFactory(user=user, municipality=bodo)
    follow = {
        "other_user": Follow.objects.create(user=others["resident"], municipality=bodo),
        "other_council": Follow.objects.create(user=others["other_secretary"], municipality=bodo),
        "other_municipality": Follow.objects.create(
            user=others["far_resident"], municipality=other
        ),
    }
    for role, user in users.items():
        if user is not None:
            follow[("own", role)] = Follow.objects.create(user=user, municipality=bodo)
    world = World(
        follow=follow,
        users=users,
        municipality={"here": bodo, "far": other},
        council={
            "own": own_council,
            "other_user": own_council,
            "other_council": other_council,
            "other_municipality": far_council,
        },
        priority=priority,
        submission=submission,
        attachment=attachment,
        consultation=consultation,
        case={
            "own": case_here,
            "other_user": case_here,
            "other_council": case_here,
            "other_municipality": case_far,
        },
        area={
            "own": bodo_area,
            "other_user": bodo_area,
            "other_council": bodo_area,
            "other_municipality": other_area,
        },
        export=export,
        others=others,
        layer={
            relation: layer["far" if relation == "other_municipality" else "here"]
            for relation in RELATIONS
        },
        choosable_area={
            relation: choosable_area["far" if relation == "other_municipality" else "here"]
            for relation in RELATIONS
        },
        reply=reply,
        hearing=hearing,
        hearing_answer=hearing_answer,
        hearing_document={
            relation: hearing_item.documents.get() for relation, hearing_item in hearing.items()
        },
        hearing_attachment={
            key: answer_item.attachments.get() for key, answer_item in hearing_answer.items()
        },
    )
    world.meetings = meetings_authz.build(world)
    world.budgets = budgets_authz.build(world)
    world.panels_survey = panels_survey_authz.build(world)
    world.panels = panels_authz.build(world)
    world.budget_rounds = round_authz.build(world)
    return world


# --- one request per row ---------------------------------------------------------------------


def _object(world: World, collection: dict, relation: str, role: str):
    return (
        collection[("own", role)]
        if ("own", role) in collection and relation == "own"
        else (collection[relation])
    )


def _layer_upload(layer_pk: int) -> SimpleUploadedFile:
    """A small GeoJSON layer near the existing one (a new file per request)."""
    feature = CaseLayerFeature.objects.filter(layer_id=layer_pk).first()
    point = feature.geom.transform(4326, clone=True)
    body = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        f'{{"navn": "Alternativ"}}, "geometry": {{"type": "Point", "coordinates": '
        f"[{point.x}, {point.y}]}}}}]}}"
    )
    return SimpleUploadedFile("alternativ.geojson", body.encode(), "application/geo+json")


def request_for(world: World, name: str, method: str, role: str, relation: str):
    """(path, data) for a row: the URL reversed with the row's object, and a valid body."""
    w = world
    if relation == "-":
        relation = "other_user"  # the route needs no object; any will do for reversing

    def pk(collection):
        return _object(w, collection, relation, role).pk

    municipality = w.municipality["far" if relation == "other_municipality" else "here"]
    status_body = {"status": "under_consideration", "public_text": "Vi ser på det nå."}
    follow_body = {"municipality": municipality.code, "topics": ["case"], "frequency": "daily"}
    answer_body = {
        "respondent": "resident",
        "text": "Skoleveien trenger gangfelt og lavere fart.",
        "signed_name": "Kari Nordmann",
        "email": "kari@example.no",  # read only from someone not logged in
    }
    routes = {
        "follows:new": (reverse("follows:new") + f"?municipality={municipality.code}", follow_body),
        "follows:edit": (
            reverse("follows:edit", args=[pk(w.follow)]),
            {f"f{pk(w.follow)}-topics": ["case"], f"f{pk(w.follow)}-frequency": "daily"},
        ),
        "follows:delete": (reverse("follows:delete", args=[pk(w.follow)]), {}),
        "follows:area_feed": (reverse("follows:area_feed", args=[pk(w.area)]), {}),
        "follows:municipality_feed": (
            reverse("follows:municipality_feed", args=[municipality.code]),
            {},
        ),
        "councils:coverage": (reverse("councils:coverage", args=[municipality.code]), {}),
        "api:follow-list": (reverse("api:follow-list"), follow_body),
        "api:follow-detail": (reverse("api:follow-detail", args=[pk(w.follow)]), {}),
        "priorities:home": (reverse("priorities:home"), {}),
        "priorities:municipality": (
            reverse("priorities:municipality", args=[municipality.code]),
            {},
        ),
        "areas:detail": (reverse("areas:detail", args=[pk(w.area)]), {}),
        "areas:emblem": (reverse("areas:emblem", args=[municipality.code]), {}),
        "areas:identity_css": (reverse("areas:identity_css", args=[municipality.code]), {}),
        "priorities:new": (
            reverse("priorities:new"),
            {
                "category": Category.objects.get(slug="trafikksikkerhet").pk,
                "title": "Farlig kryss",
                "text": "Bilene kjører fort her.",
                "lon": 14.39,
                "lat": 67.28,
                "confirm_new": "1",
            },
        ),
        "priorities:new_in": (reverse("priorities:new_in", args=[municipality.code]), {}),
        "priorities:detail": (reverse("priorities:detail", args=[pk(w.priority)]), {}),
        "priorities:support": (reverse("priorities:support", args=[pk(w.priority)]), {}),
        "priorities:report": (
            reverse("priorities:report", args=[pk(w.priority)]),
            {"reason": "Navn i teksten."},
        ),
        "priorities:answer": (reverse("priorities:answer", args=[pk(w.priority)]), status_body),
        "priorities:moderate": (
            reverse("priorities:moderate", args=[pk(w.priority)]),
            {"action": "restore", "reason": ""},
        ),
        "priorities:redact": (
            reverse("priorities:redact", args=[pk(w.priority)]),
            {"title": "Farlig kryss", "text": "Bilene kjører fort her, [fjernet]."},
        ),
        "priorities:moderation": (reverse("priorities:moderation"), {}),
        "priorities:me": (reverse("priorities:me"), {}),
        "priorities:area_list": (reverse("priorities:area_list", args=[pk(w.area)]), {}),
        "priorities:answered": (reverse("priorities:answered", args=[pk(w.area)]), {}),
        "priorities:planner": (
            reverse("priorities:planner") + f"?municipality={municipality.code}",
            {},
        ),
        "priorities:planner_answer": (
            reverse("priorities:planner_answer"),
            {**status_body, "ids": [pk(w.priority)], "municipality": municipality.code},
        ),
        "priorities:planner_merge": (
            reverse("priorities:planner_merge"),
            {
                "ids": [pk(w.priority), w.priority["other_user"].pk],
                "target": pk(w.priority),
                "municipality": municipality.code,
            },
        ),
        "priorities:export": (
            reverse("priorities:export") + f"?format=csv&municipality={municipality.code}",
            {},
        ),
        "priorities:export_status": (
            reverse("priorities:export_status", args=[pk(w.export)]),
            {},
        ),
        "councils:list": (reverse("councils:list"), {}),
        "councils:detail": (reverse("councils:detail", args=[pk(w.council)]), {}),
        "councils:file": (reverse("councils:file", args=[pk(w.council)]), {}),
        "councils:submission": (reverse("councils:submission", args=[pk(w.submission)]), {}),
        "councils:answer": (reverse("councils:answer", args=[pk(w.submission)]), status_body),
        "councils:withdraw": (
            reverse("councils:withdraw", args=[pk(w.submission)]),
            {"reason": "Sendt ved en feil."},
        ),
        "councils:attachment": (reverse("councils:attachment", args=[pk(w.attachment)]), {}),
        "hearings:consultation_new": (
            reverse("hearings:consultation_new", args=[pk(w.case)]),
            {},
        ),
        "councils:consultation": (
            reverse("councils:consultation", args=[pk(w.consultation)]),
            {},
        ),
        "cases:list": (reverse("cases:list"), {}),
        "cases:new": (
            reverse("cases:new"),
            {
                "number": "2026/77",
                "title": "Ny sak om skolevei",
                "body": "kommunestyre",
                "status": "in_preparation",
                "buffer_metres": "0",
                "area_types": [AreaType.objects.get(slug="skolekrets").pk],
            },
        ),
        "cases:detail": (reverse("cases:detail", args=[pk(w.case)]), {}),
        "cases:adjust_areas": (
            reverse("cases:adjust_areas", args=[pk(w.case)]),
            {
                "area": pk(w.choosable_area),
                "action": "add",
                "reason": "Skoleveien går gjennom kretsen.",
            },
        ),
        "cases:link": (
            reverse("cases:link", args=[pk(w.case)]),
            {
                "references": _object(w, w.submission, relation, role).reference,
                "public_text": "Innspillet tas med i saken.",
            },
        ),
        "cases:layer_add": (
            reverse("cases:layer_add", args=[pk(w.case)]),
            {"name": "Alternativ 2", "file": _layer_upload(pk(w.layer))},
        ),
        "cases:freeze": (reverse("cases:freeze", args=[pk(w.case)]), {}),
        "cases:manage": (reverse("cases:manage", args=[pk(w.case)]), {}),
        "cases:digest": (reverse("cases:digest", args=[pk(w.case)]), {}),
        "cases:frozen": (reverse("cases:frozen", args=[pk(w.case), 1]), {}),
        "cases:frozen_pdf": (reverse("cases:frozen_pdf", args=[pk(w.case), 1]), {}),
        "cases:area_digest": (reverse("cases:area_digest", args=[pk(w.area)]), {}),
        "cases:population": (
            reverse("cases:population", args=[municipality.code]),
            {
                "area_type": AreaType.objects.get(slug="skolekrets").pk,
                "source": "SSB tabell 07459",
                "file": SimpleUploadedFile(
                    "befolkning.csv", "område;alder;år;antall\n1804-SK01;20-39;2026;120\n".encode()
                ),
            },
        ),
        "cases:representation": (reverse("cases:representation", args=[municipality.code]), {}),
        "privacy": (reverse("privacy"), {"password": PASSWORD}),
        "privacy_data": (reverse("privacy_data"), {}),
        "api:account_data": (reverse("api:account_data"), {}),
        "api:account_close": (reverse("api:account_close"), {"password": PASSWORD}),
        "api:case-list": (reverse("api:case-list"), {}),
        "api:case-detail": (reverse("api:case-detail", args=[pk(w.case)]), {}),
        "api:case-digest": (reverse("api:case-digest", args=[pk(w.case)]), {}),
        "api:case-digests": (reverse("api:case-digests", args=[pk(w.case)]), {}),
        "api:case-layers": (reverse("api:case-layers", args=[pk(w.case)]), {}),
        "api:case-layer": (
            reverse("api:case-layer", args=[pk(w.case), f"upload-{pk(w.layer)}"]),
            {},
        ),
        "api:area-digest": (reverse("api:area-digest", args=[pk(w.area)]), {}),
        "api:api-root": (reverse("api:api-root"), {}),
        "api:schema": (reverse("api:schema"), {}),
        "api:docs": (reverse("api:docs"), {}),
        "api:areatype-list": (reverse("api:areatype-list"), {}),
        "api:areatype-detail": (reverse("api:areatype-detail", args=["kommune"]), {}),
        "api:area-list": (reverse("api:area-list") + "?geometry=false", {}),
        "api:area-detail": (reverse("api:area-detail", args=[pk(w.area)]), {}),
        "api:area-stats": (reverse("api:area-stats", args=[pk(w.area)]), {}),
        "api:category-list": (reverse("api:category-list"), {}),
        "api:category-detail": (reverse("api:category-detail", args=["trafikksikkerhet"]), {}),
        "api:priority-list": (
            reverse("api:priority-list"),
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [14.39, 67.28]},
                "properties": {
                    "category": "trafikksikkerhet",
                    "title": "Farlig kryss",
                    "text": "Bilene kjører fort her.",
                },
            },
        ),
        "api:priority-detail": (reverse("api:priority-detail", args=[pk(w.priority)]), {}),
        "api:priority-support": (reverse("api:priority-support", args=[pk(w.priority)]), {}),
        "api:priority-status": (
            reverse("api:priority-status", args=[pk(w.priority)]),
            status_body,
        ),
        "api:priority-map": (reverse("api:priority-map") + "?bbox=14,67,15,68&zoom=14", {}),
        "api:priority-by-area": (
            reverse("api:priority-by-area") + "?area_type=skolekrets",
            {},
        ),
        "api:council-list": (reverse("api:council-list"), {}),
        "api:council-detail": (reverse("api:council-detail", args=[pk(w.council)]), {}),
        "api:submission-list": (
            reverse("api:submission-list"),
            {
                "council": pk(w.council),
                "kind": "input",
                "title": "Innspill",
                "text": "Rådet mener noe.",
                "meeting_date": str(timezone.localdate()),
                "areas": [pk(w.area)],
            },
        ),
        "api:submission-detail": (reverse("api:submission-detail", args=[pk(w.submission)]), {}),
        "priorities:replies": (
            reverse("priorities:replies", args=["submission", pk(w.submission)]),
            {"reply-text": "Jeg tar dette opp i kommunestyret."},
        ),
        "priorities:reply_answer": (
            reverse("priorities:reply_answer", args=["submission", pk(w.reply)]),
            {f"answer-{pk(w.reply)}-text": "Takk for svaret ditt."},
        ),
        "priorities:reply_moderate": (
            reverse("priorities:reply_moderate", args=["submission", pk(w.reply)]),
            {
                f"moderate-{pk(w.reply)}-action": "hide",
                f"moderate-{pk(w.reply)}-reason": "Usaklig innhold.",
            },
        ),
        "api:record-replies": (
            reverse("api:record-replies", args=["submission", pk(w.submission)]),
            {"text": "Jeg tar dette opp i kommunestyret."},
        ),
        "api:reply-answer": (
            reverse("api:reply-answer", args=["submission", pk(w.reply)]),
            {"text": "Takk for svaret ditt."},
        ),
        "councillor_profile": (reverse("councillor_profile"), _profile_body(w, role)),
        "hearings:new": (
            reverse("hearings:new", args=[pk(w.case)]),
            {
                "title": "Høring om skolevei",
                "decision": "Kommunestyret vedtar planen i mars.",
                "opens_on": str(timezone.localdate()),
                "closes_on": str(timezone.localdate() + datetime.timedelta(days=14)),
                "audience": "everyone",
                "publication": "at_once",
            },
        ),
        "hearings:detail": (reverse("hearings:detail", args=[pk(w.hearing)]), {}),
        "hearings:answer": (
            reverse("hearings:answer", args=[pk(w.hearing)]),
            answer_body,
        ),
        "hearings:answers": (reverse("hearings:answers", args=[pk(w.hearing)]), {}),
        "hearings:summary": (reverse("hearings:summary", args=[pk(w.hearing)]), {}),
        "hearings:theme_save": (
            reverse("hearings:theme_save", args=[pk(w.hearing)]),
            {"new-title": "Skoleveien", "new-text": "Mange ber om gangfelt ved skolen."},
        ),
        "hearings:answer_detail": (
            reverse("hearings:answer_detail", args=[pk(w.hearing_answer)]),
            {},
        ),
        "hearings:answer_status": (
            reverse("hearings:answer_status", args=[pk(w.hearing_answer)]),
            status_body,
        ),
        "hearings:moderate": (
            reverse("hearings:moderate", args=[pk(w.hearing_answer)]),
            {"action": "publish"},
        ),
        "hearings:document": (reverse("hearings:document", args=[pk(w.hearing_document)]), {}),
        "hearings:attachment": (
            reverse("hearings:attachment", args=[pk(w.hearing_attachment)]),
            {},
        ),
        "api:hearing-list": (reverse("api:hearing-list"), {}),
        "api:hearing-detail": (reverse("api:hearing-detail", args=[pk(w.hearing)]), {}),
        "api:hearinganswer-list": (
            reverse("api:hearinganswer-list"),
            {"hearing": pk(w.hearing), **answer_body},
        ),
        "api:hearinganswer-detail": (
            reverse("api:hearinganswer-detail", args=[pk(w.hearing_answer)]),
            {},
        ),
        "set_language": (reverse("set_language"), {"language": "en", "next": "/"}),
        "admin:index": (reverse("admin:index"), {}),
    }
    if name.startswith(("meetings:", "api:meeting-")):
        return meetings_authz.request(w, name, relation)
    if name in round_authz.URLS:
        return round_authz.request(w, name, relation, role)
    if name.startswith(("budgets:", "api:budget-")):
        return budgets_authz.request(w, name, relation)
    if name in PANELS_SURVEY_URLS:
        return panels_survey_authz.request(w, name, relation)
    if name.startswith("panels:"):
        return panels_authz.request(w, name, relation)
    # URLs without an object or a body (allauth's pages, for example) need no entry.
    return routes.get(name) or (reverse(name), {})


def _profile_body(world: World, role: str) -> dict:
    """A councillor's profile form for each of their councillor roles (none for others)."""
    user = world.users[role]
    grants = RoleGrant.objects.filter(user=user, role=Role.COUNCILLOR) if user else []
    body = {}
    for grant in grants:
        body |= {
            f"grant-{grant.pk}-public_name": "Ola Folkevalgt",
            f"grant-{grant.pk}-party": "Bygdelista",
            f"grant-{grant.pk}-elected_body": "Kommunestyret",
        }
    return body


def outcome(response) -> str:
    if 200 <= response.status_code < 300:
        return "2xx"
    if 300 <= response.status_code < 400:
        location = response.get("Location", "")
        return "login" if "/login/" in location else "3xx"
    return str(response.status_code)


def run_row(world: World, row: dict) -> str:
    client = Client()
    user = world.users[row["role"]]
    if user is not None:
        client.force_login(user)
    path, data = request_for(world, row["url"], row["method"], row["role"], row["relation"])
    method = row["method"].lower()
    cache.clear()
    if method == "get":
        response = client.get(path)
    elif row["url"].startswith("api:"):
        response = getattr(client, method)(path, data, content_type="application/json")
    else:
        response = getattr(client, method)(path, data)
    return outcome(response)


# --- the tests ---------------------------------------------------------------------------------


def test_every_url_has_rows_in_the_matrix():
    """A URL added to the URL conf without rows here fails, naming the rows to write."""
    rows = load_matrix()
    in_matrix = {row["url"] for row in rows}
    names = url_names()
    needed = {covered_name(name) for name in names if name not in SECRET_LINKS}
    missing = sorted(needed - in_matrix)
    template = "\n".join(
        f"{name},GET,{role},{relation},?"
        for name in missing
        for role in ROLES
        for relation in (RELATIONS if names.get(name) else ["-"])
        if not (role == "anonymous" and relation == "own")
    )
    assert not missing, (
        f"URLs without rows in {MATRIX.name}: {', '.join(missing)}.\n"
        "Add a row per method, role and relation (relation '-' for a URL without an "
        "object), for example:\n" + template
    )
    unknown = sorted(in_matrix - needed)
    assert not unknown, f"Rows in {MATRIX.name} for URLs that no longer exist: {unknown}"


def test_every_object_url_has_every_role_and_relation():
    rows = load_matrix()
    cells: dict[tuple[str, str], set] = {}
    for row in rows:
        cells.setdefault((row["url"], row["method"]), set()).add((row["role"], row["relation"]))
    incomplete = {}
    for key, have in cells.items():
        relations = {relation for _, relation in have}
        wanted = {
            (role, relation)
            for role in ROLES
            for relation in (["-"] if relations == {"-"} else RELATIONS)
            if not (role == "anonymous" and relation == "own")
        }
        if wanted - have:
            incomplete[key] = sorted(wanted - have)
    assert not incomplete, f"Cells missing in {MATRIX.name}: {incomplete}"


def _urls_in_matrix() -> list[str]:
    """The table's URLs that the URL conf has: which allauth pages exist depends on its
    version and settings, and a row for a name that is gone fails
    `test_every_url_has_rows_in_the_matrix` instead of a NoReverseMatch here."""
    names = url_names()
    return sorted({row["url"] for row in load_matrix() if row["url"] in names})


@pytest.mark.django_db
@pytest.mark.parametrize("url", _urls_in_matrix())
def test_each_role_gets_the_answer_in_the_matrix(url, tmp_path):
    world = build_world(tmp_path)
    wrong = []
    for row in (r for r in load_matrix() if r["url"] == url):
        with transaction.atomic():
            got = run_row(world, row)
            transaction.set_rollback(True)
        if got != row["expected"]:
            wrong.append(
                f"{row['method']} {row['role']} {row['relation']}: "
                f"expected {row['expected']}, got {got}"
            )
    assert not wrong, f"{url}:\n" + "\n".join(wrong)


PRIVATE_PRIORITY_URLS = {
    "priorities:detail",
    "priorities:support",
    "priorities:report",
    "priorities:answer",
    "priorities:moderate",
    "priorities:redact",
    "api:priority-detail",
    "api:priority-support",
    "api:priority-status",
}


def test_the_table_itself_lets_nobody_reach_another_persons_hidden_priority():
    """The rows cannot be edited into an IDOR: another person's hidden priority is out of
    reach for residents, councillors and secretaries, and for everybody in another
    municipality."""
    allowed = []
    for row in load_matrix():
        if row["url"] not in PRIVATE_PRIORITY_URLS or row["relation"] == "own":
            continue
        outsider = row["role"] in {"anonymous", "resident", "councillor", "council_secretary"}
        if (outsider or row["relation"] == "other_municipality") and row["expected"] in {
            "2xx",
            "3xx",
            "400",
            "403",
        }:
            allowed.append(row)
    assert not allowed, f"Rows that reveal or touch another's hidden priority: {allowed}"
