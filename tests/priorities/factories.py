"""Accounts and priorities, made the way the product makes them (through the services)."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Role
from areas.geo import lon_lat_point
from councils import services as council_services
from councils.models import Submission, SubmissionKind, SubmissionTemplate
from priorities import services
from priorities.models import (
    AnswerTemplate,
    Category,
    Export,
    Priority,
    PriorityStatusChange,
    Report,
    Status,
    Support,
)
from tests.accounts.factories import RoleGrantFactory
from tests.areas.factories import CouncilFactory, MunicipalityFactory, council_secretary

PASSWORD = "Nabolag-test-2026!"
BODO_CENTRE = (14.385, 67.283)  # lon, lat: Bodø sentrum skolekrets (demo)
MISVAER = (15.0, 67.117)
# What a resident posts to POST /api/v1/priorities/ (a GeoJSON Feature).
PRIORITY_FEATURE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": list(BODO_CENTRE)},
    "properties": {
        "category": "trafikksikkerhet",
        "title": "Farlig kryss ved skolen",
        "text": "Bilene kjører fort her, og barna krysser hver morgen.",
    },
}


class UserFactory(factory.django.DjangoModelFactory):
    """A resident with a verified e-mail address."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"innbygger{n}")
    email = factory.Sequence(lambda n: f"innbygger{n}@example.no")
    first_name = factory.Sequence(lambda n: f"Kari{n}")
    last_name = "Nordmann"
    language = "nb"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def staff(role: str, code: str = "1804", **kwargs):
    """An account holding a staff role in a municipality."""
    user = UserFactory(**kwargs)
    RoleGrantFactory(user=user, role=role, municipality__code=code)
    return user


class CategoryFactory(factory.django.DjangoModelFactory):
    """A category; by default the seeded default ``trafikksikkerhet`` (got, not created).
    With ``municipality=...`` a municipality's own category."""

    class Meta:
        model = Category
        django_get_or_create = ["slug", "municipality"]

    slug = "trafikksikkerhet"
    municipality = None
    name_nb = factory.LazyAttribute(lambda o: o.slug.capitalize())
    colour = "#1f77b4"
    position = 0


class PriorityFactory(factory.django.DjangoModelFactory):
    """A priority created through the service, as a resident would create it (the
    municipality and the areas come from the place, ``at``: lon, lat)."""

    class Meta:
        model = Priority

    author = factory.SubFactory(UserFactory)
    at = BODO_CENTRE
    category = factory.SubFactory(CategoryFactory)
    title = "Farlig kryss ved skolen"
    text = "Bilene kjører fort her, og barna krysser hver morgen."

    @classmethod
    def _create(cls, model_class, *, author, at, category, title, text):
        return services.priority_create(
            author=author,
            point=lon_lat_point(*at),
            category=category,
            title=title,
            text=text,
        )


def make_priority(author=None, *, at=BODO_CENTRE, category="trafikksikkerhet", **fields):
    """A priority created through the service, as a resident would create it."""
    fields = {name: fields[name] for name in ("title", "text") if name in fields}
    if author is not None:
        fields["author"] = author
    return PriorityFactory(at=at, category__slug=category, **fields)


class SupportFactory(factory.django.DjangoModelFactory):
    """A resident's support, added through the service (the priority's count follows)."""

    class Meta:
        model = Support

    priority = factory.SubFactory(PriorityFactory)
    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *, priority, user):
        services.support_add(priority=priority, user=user)
        return Support.objects.get(priority=priority, user=user)


class ReportFactory(factory.django.DjangoModelFactory):
    """A resident's report of a priority, through the service (enough reports hide it)."""

    class Meta:
        model = Report

    priority = factory.SubFactory(PriorityFactory)
    user = factory.SubFactory(UserFactory)
    reason = "Dette er reklame, ikke en prioritering."

    @classmethod
    def _create(cls, model_class, *, priority, user, reason):
        return services.priority_report(priority=priority, user=user, reason=reason)


class StatusChangeFactory(factory.django.DjangoModelFactory):
    """An answer to a priority (or, with ``submission=...``, a submission), given through
    the status loop: status changes are append-only, and the loop also updates the input."""

    class Meta:
        model = PriorityStatusChange

    submission = None
    priority = factory.Maybe(
        "submission", yes_declaration=None, no_declaration=factory.SubFactory(PriorityFactory)
    )
    status = Status.UNDER_CONSIDERATION
    public_text = "Takk, vi ser på dette i planarbeidet."
    case_number = ""
    actor = factory.LazyFunction(lambda: staff(Role.PLANNER))

    @classmethod
    def _create(cls, model_class, *, priority, submission, **fields):
        (change,) = services.input_set_status(records=[priority or submission], **fields)
        return change


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A council's statement filed through the service by a secretary of the council
    (``author``; a new secretary by default). With no ``areas`` nor ``geometry`` it
    speaks for the council's areas."""

    class Meta:
        model = Submission

    council = factory.SubFactory(CouncilFactory)
    author = factory.LazyAttribute(lambda o: council_secretary(o.council))
    kind = SubmissionKind.STATEMENT
    title = factory.Sequence(lambda n: f"Uttalelse {n}")
    text = "Rådet mener at skoleveien må gjøres tryggere før vinteren."
    meeting_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))

    @classmethod
    def _create(cls, model_class, *, author, **fields):
        return council_services.submission_file(secretary=author, **fields)


class ExportFactory(factory.django.DjangoModelFactory):
    """A finished CSV export on the record (as ``export_start`` logs one)."""

    class Meta:
        model = Export

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory, code="1804")
    format = Export.Format.CSV


class AnswerTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnswerTemplate

    municipality = factory.SubFactory(MunicipalityFactory, code="1804")
    title = factory.Sequence(lambda n: f"Svarmal {n}")
    status = Status.UNDER_CONSIDERATION
    text = "Takk for innspillet. Vi vurderer det i arbeidet med planen."


class SubmissionTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubmissionTemplate

    municipality = factory.SubFactory(MunicipalityFactory, code="1804")
    name = factory.Sequence(lambda n: f"Mal {n}")
    headings = "Bakgrunn\nRådets vurdering\nVedtak"


def copies_of(priority, n: int) -> list:
    """``n`` more priorities like this one (same author, place, category and areas), written
    in two statements: for tests that need hundreds (the triggers keep the rollups right)."""
    from priorities.models import Priority

    fields = {
        name: getattr(priority, name)
        for name in ("municipality_id", "author_id", "point", "category_id", "text")
    }
    copies = Priority.all_objects.bulk_create(
        [
            Priority(
                reference=services.next_reference(services.PRIORITY_PREFIX),
                title=f"{priority.title} ({number})",
                **fields,
            )
            for number in range(1, n + 1)
        ]
    )
    links = Priority.areas.through
    area_ids = list(links.objects.filter(priority=priority).values_list("area_id", flat=True))
    links.objects.bulk_create(
        [links(priority_id=copy.pk, area_id=area_id) for copy in copies for area_id in area_ids]
    )
    return copies
