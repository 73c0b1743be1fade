"""Planners register meetings and record what was said there; the input goes through the
one feedback loop, is linked to the meeting's case and is in its digest."""

import datetime

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InternalError, ProgrammingError, transaction

from accounts.models import Role
from cases.digests import case_digest
from follows.models import Announcement
from meetings import services
from meetings.models import (
    Meeting,
    MeetingInput,
    MeetingInputCaseLink,
    MeetingInputStatusChange,
    MeetingPhoto,
    ParticipantCount,
)
from priorities import kinds
from priorities import services as loop
from tests.cases.factories import make_case
from tests.meetings.factories import (
    image_bytes,
    make_meeting,
    photo_upload,
    tomorrow_evening,
)
from tests.priorities.factories import UserFactory, staff

pytestmark = pytest.mark.django_db
DRAWN = '{"type": "Polygon", "coordinates": [[[14.37, 67.27], [14.40, 67.27], [14.40, 67.29], [14.37, 67.29], [14.37, 67.27]]]}'


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


def counts():
    return (
        Meeting.objects.count(),
        Announcement.objects.count(),
        MeetingInput.objects.count(),
        MeetingPhoto.objects.count(),
        ParticipantCount.objects.count(),
    )


def record(planner, meeting, **overrides):
    fields = {
        "title": "Trygg skolevei",
        "notes": "Gruppe 2 tegnet et nytt fotgjengerfelt ved skolen.",
    }
    return services.meeting_input_record(actor=planner, meeting=meeting, **(fields | overrides))


def test_a_planner_registers_a_meeting_its_areas_come_from_the_place_and_the_case(planner):
    case = make_case(planner, number="2026/1501")

    meeting = make_meeting(planner, case=case)

    assert meeting.areas.filter(type__slug="kommune", code="1804").exists()
    assert set(case.areas.values_list("pk", flat=True)) <= set(
        meeting.areas.values_list("pk", flat=True)
    )
    assert len(meeting.short_code) == services.SHORT_CODE_LENGTH
    announcement = Announcement.objects.get(key=f"meeting:{meeting.pk}:registered")
    assert announcement.topic == "meeting" and announcement.url == meeting.get_absolute_url()
    assert set(announcement.areas.all()) == set(meeting.areas.all())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": tomorrow_evening(hour=17)}, "ends_at", "must end after it starts"),
        ({"ends_at": tomorrow_evening(hour=18)}, "ends_at", "must end after it starts"),
        ({"point": Point(10.75, 59.91, srid=4326)}, "place", "outside the municipalities"),
        ({"title": "x"}, "title", "at least 3"),
    ],
)
def test_a_bad_meeting_is_refused_and_nothing_is_written(planner, overrides, field, message):
    before = counts()

    with pytest.raises(ValidationError) as error:
        make_meeting(planner, starts_at=tomorrow_evening(hour=18), **overrides)

    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert counts() == before


def test_a_point_in_another_municipality_is_refused(planner):
    from areas.models import Area, AreaType, Municipality
    from tests.areas.factories import AreaFactory, square

    other = AreaFactory(
        type=AreaType.objects.get(slug="kommune"),
        code="9901",
        name="Nabokommune",
        geom=square(300_000, 6_700_000, 5000),
        municipality=None,
    )
    neighbour = Municipality.objects.create(code="9901", name="Nabokommune")
    Area.objects.filter(pk=other.pk).update(municipality=neighbour)
    inside_neighbour = Point(302_500, 6_702_500, srid=25833).transform(4326, clone=True)

    with pytest.raises(ValidationError) as error:
        make_meeting(planner, point=inside_neighbour)

    assert error.value.message_dict["place"] == ["The place is outside Bodø."]
    assert not Meeting.objects.exists()


def test_only_the_municipalitys_planners_register_meetings():
    for user in (UserFactory(), staff(Role.COUNCILLOR), staff(Role.MODERATOR)):
        with pytest.raises(PermissionDenied):
            make_meeting(user)
    assert not Meeting.objects.exists()


def test_a_case_of_another_municipality_is_refused(planner):
    from areas.models import Municipality
    from tests.cases.factories import CaseFactory

    far = CaseFactory(municipality=Municipality.objects.create(code="9902", name="Fjernt"))

    with pytest.raises(ValidationError) as error:
        make_meeting(planner, case=far)
    assert "case" in error.value.message_dict


def test_input_with_a_drawn_place_photos_and_counts_is_linked_to_the_case_and_in_its_digest(
    planner, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    case = make_case(planner, number="2026/1502")
    meeting = make_meeting(planner, case=case)

    made = record(
        planner,
        meeting,
        geometry=GEOSGeometry(DRAWN, srid=4326),
        photos=[(photo_upload(), "Flippover: ønsker om fotgjengerfelt ved skolen")],
        counts={"13-19": 12, "40-66": 7},
    )

    assert made.reference.startswith("MI-") and made.author is None
    assert made.recorded_by == planner
    assert made.areas.filter(code="1804-SK01").exists()
    (photo,) = made.photos.all()
    stored = photo.image.read()
    assert stored.startswith(b"\xff\xd8") and (photo.width, photo.height) == (40, 30)
    assert dict(meeting.participant_counts.values_list("age_group", "count")) == {
        "13-19": 12,
        "40-66": 7,
    }
    assert MeetingInputCaseLink.objects.get(record=made).case_number == "2026/1502"
    (section,) = [s for s in case_digest(case)["inputs"] if s["kind"] == "meeting_input"]
    assert [row["reference"] for row in section["linked"]] == [made.reference]
    assert kinds.of(made).key == "meeting_input"


def test_counts_given_again_replace_the_groups_number(planner):
    meeting = make_meeting(planner)
    record(planner, meeting, counts={"67+": 3})
    record(planner, meeting, title="Runde to", counts={"67+": 5})
    assert meeting.participant_counts.get(age_group="67+").count == 5


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("photos", "field", "message"),
    [
        (
            [(photo_upload("a.png", b"not an image at all"), "En flippover")],
            "photos",
            "not a photo",
        ),
        ([(photo_upload("a.svg", SVG), "En flippover")], "photos", "not a photo"),
        ([(photo_upload("a.gif", image_bytes("GIF")), "En flippover")], "photos", "not a photo"),
        (
            [(photo_upload("a.png", image_bytes()[:-20]), "En flippover")],
            "photos",
            "not a photo",
        ),
        (
            [(SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * 10_000_001), "En flippover")],
            "photos",
            "too large",
        ),
        ([(photo_upload(), "")], "alt_text", "Describe what"),
        ([(photo_upload(), "   ")], "alt_text", "Describe what"),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_written(planner, photos, field, message):
    meeting = make_meeting(planner)
    before = counts()

    with pytest.raises(ValidationError) as error:
        record(planner, meeting, photos=photos)

    assert message in " ".join(error.value.message_dict[field])
    assert counts() == before


def test_a_place_drawn_outside_the_municipality_is_refused(planner):
    meeting = make_meeting(planner)
    with pytest.raises(ValidationError, match="outside"):
        record(planner, meeting, geometry=GEOSGeometry("POINT (10.75 59.91)", srid=4326))
    assert not MeetingInput.objects.exists()


def test_a_resident_cannot_record_input(planner):
    meeting = make_meeting(planner)
    with pytest.raises(PermissionDenied):
        record(UserFactory(), meeting)
    assert not MeetingInput.objects.exists()


def test_input_goes_through_the_one_feedback_loop(planner):
    meeting = make_meeting(planner)
    made = record(planner, meeting)

    loop.input_set_status(
        records=[made],
        status="in_case",
        public_text="Tatt med i reguleringsplanen.",
        case_number="2026/1503",
        actor=planner,
    )

    made.refresh_from_db()
    assert made.status == "in_case" and made.first_answered_at is not None
    assert MeetingInputStatusChange.objects.get(record=made).public_text.startswith("Tatt med")
    assert MeetingInputCaseLink.objects.filter(record=made, case_number="2026/1503").exists()


def test_meetings_and_their_input_stay_on_the_record(planner):
    meeting = make_meeting(planner)
    made = record(planner, meeting)
    bare = make_meeting(planner, title="Et møte uten innspill")

    for statement in (
        lambda: Meeting.objects.filter(pk=bare.pk).delete(),
        lambda: Meeting.objects.filter(pk=meeting.pk).update(title="Omskrevet"),
        lambda: MeetingInput.objects.filter(pk=made.pk).update(notes="Noe helt annet enn det."),
        lambda: MeetingInput.objects.filter(pk=made.pk).delete(),
    ):
        with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
            statement()
    services.meeting_cancel(actor=planner, meeting=meeting, reason="Lokalet er stengt.")
    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(cancelled_reason="Noe annet")


def test_the_database_refuses_a_meeting_that_ends_before_it_starts(planner):
    meeting = make_meeting(planner)
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            municipality=meeting.municipality,
            type="walk",
            title="Baklengs",
            starts_at=meeting.starts_at,
            ends_at=meeting.starts_at - datetime.timedelta(hours=1),
            place=meeting.place,
            place_name="Et sted",
            short_code="baklengs",
        )
