"""A kind of input registers itself, and the feedback loop, the link to a case and the
digests take it without an edit: a throwaway kind (petitions, with tables made for this
test only) goes through all three."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.db import connections, models
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.models import Role
from areas.models import Area, Municipality
from cases import digests
from priorities import kinds, services, tasks
from priorities.models import CaseLink, InputRecord, StatusChange
from tests.cases.factories import make_case
from tests.priorities.factories import BODO_CENTRE, UserFactory, staff


class Petition(InputRecord):
    """A throwaway kind of input: a resident's petition about some areas."""

    title = models.CharField(max_length=200)
    areas = models.ManyToManyField("areas.Area", related_name="+")

    class Meta:
        app_label = "throwaway_kinds"

    def get_absolute_url(self) -> str:
        return f"/petitions/{self.pk}/"


class PetitionStatusChange(StatusChange):
    record = models.ForeignKey(Petition, models.PROTECT, related_name="status_changes")

    class Meta(StatusChange.Meta):
        app_label = "throwaway_kinds"


class PetitionCaseLink(CaseLink):
    record = models.ForeignKey(Petition, models.PROTECT, related_name="case_links")

    class Meta(CaseLink.Meta):
        app_label = "throwaway_kinds"


TABLES = (Petition, PetitionStatusChange, PetitionCaseLink)


def _row(petition: Petition) -> dict:
    return {
        "id": petition.pk,
        "reference": petition.reference,
        "title": petition.title,
        "source": "",
        "status": petition.status,
        "status_label": petition.get_status_display(),
        "created": petition.created_at.date().isoformat(),
        "url": petition.get_absolute_url(),
    }


@pytest.fixture
def petitions():
    """The kind's tables (made by the owner role, as migrations would), and the kind
    registered; both gone afterwards."""
    owner = connections.create_connection("owner")
    owner.settings_dict["NAME"] = connections["default"].settings_dict["NAME"]
    with owner.schema_editor() as editor:
        for model in TABLES:
            editor.create_model(model)
    kind = kinds.register(
        kinds.InputKind(
            key="petition",
            model=Petition,
            status_changes=PetitionStatusChange,
            case_links=PetitionCaseLink,
            label="petition",
            label_plural="petitions",
            digest_row=_row,
        )
    )
    yield kind
    kinds.unregister("petition")
    with owner.schema_editor() as editor:
        for model in reversed(TABLES):
            editor.delete_model(model)
    owner.close()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_a_new_kind_goes_through_the_loop_the_case_link_and_the_digest(
    petitions, demo_live, client
):
    planner = staff(Role.PLANNER)
    resident = UserFactory()
    bodo = Municipality.objects.get(code="1804")
    area = Area.objects.covering(Point(*BODO_CENTRE, srid=4326)).get(type__slug="skolekrets")
    petition = Petition.objects.create(
        reference="PE-2026-000001", municipality=bodo, author=resident, title="Lys i parken"
    )
    # Through the link table itself: the areas app's models know nothing of this kind (its
    # app is not installed, so Area has no reverse relation to it).
    Petition.areas.through.objects.create(petition=petition, area=area)

    # The loop: an answer naming a case that is not registered yet.
    (change,) = services.input_set_status(
        records=[petition],
        status="in_case",
        public_text="Tas med i saken om parkene.",
        actor=planner,
        case_number="2026/777",
    )
    assert isinstance(change, PetitionStatusChange)
    petition.refresh_from_db()
    assert petition.status == "in_case" and petition.first_answered_at is not None
    assert list(petition.status_changes.values_list("status", "actor_role")) == [
        ("in_case", Role.PLANNER)
    ]
    job = ProcrastinateJob.objects.get(
        task_name="priorities.tasks.notify_status_changes", args__kind="petition"
    )
    assert job.args == {"kind": "petition", "change_ids": [change.pk]}
    tasks.notify_status_changes(**job.args)
    (message,) = mail.outbox
    assert message.to == [resident.email] and "Tas med i saken om parkene." in message.body

    # The link, keyed by the number: the case registered afterwards has the petition.
    assert petitions.case_links.objects.get().case_number == "2026/777"
    case = make_case(planner, number="2026/777")
    assert case.areas.filter(pk=area.pk).exists()
    data = digests.case_digest(case)
    (section,) = [s for s in data["inputs"] if s["kind"] == "petition"]
    assert [row["reference"] for row in section["linked"]] == ["PE-2026-000001"]
    assert section["count"] == 1 and section["health"]["answered"] == 1

    # The area's digest counts it too, and the case page shows it.
    (area_section,) = [
        s for s in digests.area_digest([area.pk])["inputs"] if s["kind"] == "petition"
    ]
    assert [row["reference"] for group in area_section["groups"] for row in group["rows"]] == [
        "PE-2026-000001"
    ]
    page = client.get(reverse("cases:digest", args=[case.pk]))
    assert page.status_code == 200
    assert "PE-2026-000001" in page.content.decode() and "Petitions" in page.content.decode()
