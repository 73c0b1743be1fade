"""The meetings' pages: registering a meeting, its page with the QR code and what was said,
recording input, the participants' short form and its signed confirmation link."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import signing

from accounts.models import Role
from meetings import services
from meetings.links import follow_token
from meetings.models import Meeting, MeetingFollower, MeetingInput, MeetingPhoto
from priorities import services as loop
from tests.cases.factories import CaseFactory
from tests.meetings.factories import make_meeting, photo_upload, tomorrow_evening
from tests.priorities.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


def meeting_form(**overrides):
    starts = tomorrow_evening()
    return {
        "municipality": Meeting._meta.get_field("municipality")
        .related_model.objects.get(code="1804")
        .pk,
        "type": "public_meeting",
        "title": "Folkemøte om Storgata",
        "description": "Kommunen viser forslaget.",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place_name": "Bodø rådhus",
        "lat": "67.283",
        "lon": "14.385",
        "organisers": "Plan og miljø",
        **overrides,
    }


def test_a_planner_registers_a_meeting_from_the_case_work_page(client, planner):
    case = CaseFactory(number="2026/1601")
    client.force_login(planner)

    work = client.get(f"/cases/{case.pk}/work/").content.decode()
    assert f"/meetings/new/?case={case.pk}" in work
    form = client.get(f"/meetings/new/?case={case.pk}")
    assert form.status_code == 200
    assert f'<option value="{case.pk}" selected>' in form.content.decode()

    response = client.post("/meetings/new/", meeting_form(case=case.pk))

    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert meeting.case == case and meeting.type == "public_meeting"
    assert meeting.starts_at == tomorrow_evening()


def test_a_resident_may_not_register_a_meeting(client):
    client.force_login(UserFactory())
    assert client.get("/meetings/new/").status_code == 403
    assert client.post("/meetings/new/", meeting_form()).status_code == 403
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("language", "overrides", "message"),
    [
        (
            "nb",
            {"ends_at": tomorrow_evening(hour=17).strftime("%Y-%m-%dT%H:%M")},
            "Møtet må slutte etter at det begynner.",
        ),
        (
            "nn",
            {"ends_at": tomorrow_evening(hour=17).strftime("%Y-%m-%dT%H:%M")},
            "Møtet må slutte etter at det byrjar.",
        ),
        ("nb", {"lat": "59.91", "lon": "10.75"}, "utenfor kommunene"),
        ("nn", {"lat": "59.91", "lon": "10.75"}, "utanfor kommunane"),
    ],
)
def test_a_bad_meeting_form_says_why_in_the_users_language(
    client, planner, language, overrides, message
):
    client.force_login(planner)
    client.cookies["django_language"] = language

    response = client.post("/meetings/new/", meeting_form(**overrides))

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "error-summary" in page
    assert not Meeting.objects.exists()


def test_the_meeting_page_shows_the_qr_code_what_was_said_and_how_it_was_used(
    client, planner, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    meeting = make_meeting(planner)
    made = services.meeting_input_record(
        actor=planner,
        meeting=meeting,
        title="Trygg skolevei",
        notes="Gruppe 2 vil ha fotgjengerfelt ved skolen.",
        photos=[(photo_upload(), "Flippover med tre ønsker for skoleveien")],
        counts={"13-19": 12},
    )
    loop.input_set_status(
        records=[made],
        status="under_consideration",
        public_text="Vi vurderer fotgjengerfeltet i trafikksikkerhetsplanen.",
        actor=planner,
    )

    page = client.get(meeting.get_absolute_url()).content.decode()

    assert "<svg" in page and 'class="qr-code"' in page
    assert f"/m/{meeting.short_code}/" in page
    assert "Gruppe 2 vil ha fotgjengerfelt" in page
    assert 'alt="Flippover med tre ønsker for skoleveien"' in page
    assert "Vi vurderer fotgjengerfeltet" in page
    assert "Record input" not in page  # not a planner
    photo = MeetingPhoto.objects.get()
    served = client.get(f"/meeting-photos/{photo.pk}/")
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8")


def test_a_hidden_meeting_is_not_shown(client, planner):
    meeting = make_meeting(planner)
    services.meeting_hide(
        moderator=staff(Role.MODERATOR), meeting=meeting, reason="Feilregistrert møte."
    )
    assert client.get(meeting.get_absolute_url()).status_code == 404
    assert client.get(f"/m/{meeting.short_code}/").status_code == 404


def test_recording_input_from_the_page_with_a_photo(client, planner, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    meeting = make_meeting(planner)
    client.force_login(planner)
    fields = {
        "title": "Møteplass i parken",
        "notes": "Ungdommene ønsker benker og lys i parken.",
        "geometry": '{"type": "Point", "coordinates": [14.385, 67.283]}',
        "count_13-19": "9",
    }

    missing_alt = client.post(
        f"/meetings/{meeting.pk}/input/new/", {**fields, "photo_1": photo_upload()}
    )
    assert missing_alt.status_code == 400
    assert "Beskriv hva bildet viser" in missing_alt.content.decode()
    not_an_image = client.post(
        f"/meetings/{meeting.pk}/input/new/",
        {**fields, "photo_1": photo_upload("x.png", b"%PDF-1.4"), "alt_1": "Et kart"},
    )
    assert not_an_image.status_code == 400
    assert not MeetingInput.objects.exists() and not MeetingPhoto.objects.exists()

    response = client.post(
        f"/meetings/{meeting.pk}/input/new/",
        {**fields, "photo_1": photo_upload(), "alt_1": "Kart med benker tegnet inn"},
    )

    made = MeetingInput.objects.get()
    # The meeting's page, not at the input (#input-N): a page opened at a fragment runs no
    # autofocus, and the message with the reference number must take focus.
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert 'class="messages" role="status" tabindex="-1" autofocus' in page
    assert made.reference in page
    assert made.photos.get().alt_text == "Kart med benker tegnet inn"
    assert made.geom is not None


def test_a_resident_may_not_record_input(client, planner):
    meeting = make_meeting(planner)
    client.force_login(UserFactory())
    response = client.post(
        f"/meetings/{meeting.pk}/input/new/",
        {"title": "Noe", "notes": "Noe som ble sagt på møtet."},
    )
    assert response.status_code == 403
    assert not MeetingInput.objects.exists()


@pytest.mark.parametrize(
    ("language", "email", "message"),
    [
        ("nb", "ikke-en-adresse", "Skriv en e-postadresse som navn@example.no."),
        ("nn", "ikkje ei adresse", "Skriv ei e-postadresse som namn@example.no."),
        ("nb", "", "Skriv e-postadressen din."),
        ("nn", "", "Skriv e-postadressa di."),
    ],
)
def test_the_follow_form_refuses_a_bad_address_in_the_users_language(
    client, planner, language, email, message
):
    meeting = make_meeting(planner)
    client.cookies["django_language"] = language

    response = client.post(f"/m/{meeting.short_code}/", {"email": email})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MeetingFollower.objects.exists()


def test_a_participant_leaves_an_address_and_confirms_it_by_the_signed_link(client, planner):
    meeting = make_meeting(planner)

    response = client.post(f"/m/{meeting.short_code}/", {"email": "Deltaker@Example.NO"})

    assert response.status_code == 200 and "receipt" in response.content.decode()
    follower = MeetingFollower.objects.get()
    assert follower.email == "Deltaker@example.no" and follower.confirmed_at is None
    url = f"/m/{meeting.short_code}/confirm/{follow_token(follower)}/"
    assert client.get(url).status_code == 200
    follower.refresh_from_db()
    assert follower.confirmed_at is None  # a GET (a mail scanner) confirms nothing

    assert client.post(url).status_code == 200

    follower.refresh_from_db()
    account = follower.user
    assert follower.confirmed_at is not None
    assert account.email == "Deltaker@example.no" and not account.has_usable_password()
    made = services.meeting_input_record(
        actor=planner, meeting=meeting, title="Benker", notes="Flere benker langs elva."
    )
    assert list(made.followers()) == [account]
    assert MeetingInput.followers_of([made]) == {made.pk: [account]}


def test_an_existing_account_with_the_address_is_the_one_that_follows(client, planner):
    resident = UserFactory(email="kari@example.no")
    meeting = make_meeting(planner)
    follower = services.follower_add(meeting=meeting, email="kari@example.no", language="nb")

    client.post(f"/m/{meeting.short_code}/confirm/{follow_token(follower)}/")

    follower.refresh_from_db()
    assert follower.user == resident
    assert get_user_model().objects.filter(email__iexact="kari@example.no").count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: signing.dumps({"f": 1, "e": "0" * 16}, salt="another.salt"),
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_confirmation_link_is_refused(client, planner, tamper):
    meeting = make_meeting(planner)
    follower = services.follower_add(meeting=meeting, email="ola@example.no", language="nb")
    url = f"/m/{meeting.short_code}/confirm/{tamper(follow_token(follower))}/"

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "ikke gyldig" in response.content.decode()
    follower.refresh_from_db()
    assert follower.confirmed_at is None and follower.user is None


def test_a_link_for_another_meeting_or_address_is_refused(client, planner):
    first, second = make_meeting(planner), make_meeting(planner, title="Befaring i Rønvik")
    follower = services.follower_add(meeting=first, email="ola@example.no", language="nb")
    other = services.follower_add(meeting=first, email="kari@example.no", language="nb")
    forged = signing.dumps({"f": other.pk, "e": "0" * 16}, salt="meetings.follow")

    assert (
        client.post(f"/m/{second.short_code}/confirm/{follow_token(follower)}/").status_code == 400
    )
    assert client.post(f"/m/{first.short_code}/confirm/{forged}/").status_code == 400
    assert not MeetingFollower.objects.filter(confirmed_at__isnull=False).exists()


def test_the_follow_form_is_rate_limited(client, planner, settings):
    settings.NABOLAGET_RATES = {**settings.NABOLAGET_RATES, "meeting_follow_address": "2/hour"}
    meeting = make_meeting(planner)
    for n in range(2):
        assert (
            client.post(f"/m/{meeting.short_code}/", {"email": f"p{n}@example.no"}).status_code
            == 200
        )

    response = client.post(f"/m/{meeting.short_code}/", {"email": "p3@example.no"})

    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert MeetingFollower.objects.count() == 2


def test_the_confirmation_email_is_sent_once_with_a_working_link(planner, settings):
    from django.core import mail

    from meetings.tasks import send_follow_confirmation

    settings.NABOLAGET_SITE_URL = "https://nabolaget.example.no"
    meeting = make_meeting(planner)
    follower = services.follower_add(meeting=meeting, email="ola@example.no", language="nn")

    send_follow_confirmation.func.__wrapped__(follower_id=follower.pk)
    send_follow_confirmation.func.__wrapped__(follower_id=follower.pk)

    (message,) = mail.outbox
    assert message.to == ["ola@example.no"] and "Stadfest" in message.subject
    (link,) = re.findall(r"https://nabolaget\.example\.no/\S+", message.body)
    assert link.startswith(f"https://nabolaget.example.no/m/{meeting.short_code}/confirm/")


def test_unconfirmed_addresses_are_forgotten_once_their_link_has_expired(planner):
    from django.utils import timezone

    from meetings.tasks import forget_unconfirmed

    meeting = make_meeting(planner)
    old = services.follower_add(meeting=meeting, email="gammel@example.no", language="nb")
    confirmed = services.follower_add(meeting=meeting, email="ja@example.no", language="nb")
    services.follower_confirm(meeting=meeting, token=follow_token(confirmed))
    MeetingFollower.objects.filter(pk__in=[old.pk, confirmed.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=15)
    )
    fresh = services.follower_add(meeting=meeting, email="ny@example.no", language="nb")

    assert forget_unconfirmed(now=timezone.now()) == 1
    assert set(MeetingFollower.objects.values_list("pk", flat=True)) == {confirmed.pk, fresh.pk}


def test_the_admin_shows_meetings_read_only_and_a_moderator_hides_one(client, planner):
    meeting = make_meeting(planner)
    moderator = staff(Role.MODERATOR, is_staff=True, is_superuser=True)
    client.force_login(moderator)
    url = f"/admin/meetings/meeting/{meeting.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.get("/admin/meetings/meetinginput/").status_code == 200

    client.post(url, {"hidden_reason": "Feilregistrert møte."})

    meeting.refresh_from_db()
    assert meeting.hidden_at is not None and meeting.title == "Bylab om Storgata"
    assert client.get(meeting.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("language", "data", "alt", "message"),
    [
        ("nb", b"%PDF-1.4", "Et kart", "x.png er ikke et bilde: last opp bilder i PNG, JPEG"),
        ("nn", b"%PDF-1.4", "Eit kart", "x.png er ikkje eit bilete: last opp bilete i PNG, JPEG"),
        ("nb", None, "", "Beskriv hva bildet viser, for dem som ikke kan se det."),
        ("nn", None, "", "Skildre kva biletet viser, for dei som ikkje kan sjå det."),
    ],
)
def test_a_bad_photo_is_refused_in_the_users_language(
    client, planner, language, data, alt, message
):
    meeting = make_meeting(planner)
    client.force_login(planner)
    client.cookies["django_language"] = language

    response = client.post(
        f"/meetings/{meeting.pk}/input/new/",
        {
            "title": "Møteplass i parken",
            "notes": "Ungdommene ønsker benker og lys i parken.",
            "photo_1": photo_upload("x.png", data),
            "alt_1": alt,
        },
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MeetingInput.objects.exists()


def test_a_photo_too_large_is_a_413(client, planner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    meeting = make_meeting(planner)
    client.force_login(planner)
    response = client.post(
        f"/meetings/{meeting.pk}/input/new/",
        {
            "title": "Møteplass i parken",
            "notes": "Ungdommene ønsker benker og lys i parken.",
            "photo_1": SimpleUploadedFile("stor.jpg", b"\xff\xd8" + b"0" * 10_000_001),
            "alt_1": "Et stort bilde",
        },
    )
    assert response.status_code == 413
    assert "stor.jpg er for stor" in response.content.decode()
    assert not MeetingInput.objects.exists()


def test_a_planners_answer_to_meeting_input_opens_the_meetings_page_with_its_message(
    client, planner
):
    """After answering, the meeting's page itself (not at ``#input-N``, where autofocus
    would not run), with the message that takes focus; the input has its new status."""
    meeting = make_meeting(planner)
    made = services.meeting_input_record(
        actor=planner,
        meeting=meeting,
        title="Møteplass i parken",
        notes="Ungdommene ønsker benker og lys i parken.",
    )
    client.force_login(planner)
    response = client.post(
        f"/meeting-input/{made.pk}/answer/",
        {"status": "under_consideration", "public_text": "Vi ser på benker i parken."},
    )
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert 'class="messages" role="status" tabindex="-1" autofocus' in page
    made.refresh_from_db()
    assert made.status == "under_consideration"
