"""A year in the demo municipality, replayed through the real services (``make run``).

Residents pin a few hundred priorities over the last twelve months, mostly where people
live; neighbours support them; planners answer in batches, faster in some parts of the
municipality than in others, some not yet; the traffic safety plan (case 2026/1234) is
registered with a real route through Bodø, the areas it affects, answers that link input
to it, a request to two councils and their statements. Every record goes through the
services a person's action would (receipts, areas, rollups, history, case links); the
clock is set to each moment with ``time_machine``, so dates, answer times and the digest's
monthly bars look like a municipality that has used Nabolaget for a year.

Seeded: the same year every time. Runs once (the case's existence says it has run).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

import time_machine
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from areas.models import AreaType, Municipality
from cases.models import Case
from cases.services import case_create
from councils.models import Council, CouncilMembership
from councils.services import consultation_create, submission_file
from hearings.services import hearing_from_consultation
from nabolaget.demo import demo_account
from priorities.models import Category, Priority, Status
from priorities.services import input_set_status, priority_create, support_add

MUNICIPALITY = "1804"
CASE_NUMBER = "2026/1234"
SEED = 1804
PRIORITIES = 320
RESIDENTS = 60

# The case's route: Bodø sentrum along Rv80 to Mørkved (approximate, WGS 84 lon/lat).
ROUTE = [
    (14.3785, 67.2833),
    (14.3930, 67.2810),
    (14.4100, 67.2786),
    (14.4330, 67.2760),
    (14.4620, 67.2748),
    (14.4950, 67.2772),
    (14.5280, 67.2815),
    (14.5550, 67.2850),
]
ROUTE_BUFFER_METRES = 300

# Where people live (the demo school districts' seed points), how many of the priorities
# come from there, how far they spread (degrees of latitude; longitude twice that), and
# how many days the planners there usually take to answer (None: answered rarely).
PLACES = [
    ("Bodø sentrum", 14.385, 67.283, 30, 0.006, 9),
    ("Rønvik", 14.425, 67.296, 14, 0.006, 14),
    ("Hunstad", 14.465, 67.268, 14, 0.006, 21),
    ("Mørkved", 14.555, 67.285, 14, 0.006, 12),
    ("Løding", 14.74, 67.295, 8, 0.008, 35),
    ("Saltstraumen", 14.62, 67.232, 6, 0.008, 45),
    ("Skjerstad", 15.04, 67.237, 5, 0.008, 60),
    ("Misvær", 15.0, 67.117, 4, 0.008, None),
    ("Kjerringøy", 14.76, 67.52, 5, 0.008, 30),
]

# What residents write, by category (Bokmål and some Nynorsk, as residents write).
TEXTS = {
    "trafikksikkerhet": [
        ("Farlig kryss på skoleveien", "Bilene kommer fort rundt svingen, og barna ser dem ikke."),
        ("Trenger fartsdumper", "Mange kjører for fort her, særlig om morgenen."),
        ("Gangfelt mangler", "Vi må krysse fire felt uten gangfelt for å nå bussen."),
        ("Utrygg skuleveg", "Det er ingen fortau langs vegen, og borna går i grøfta."),
    ],
    "vei-og-gatelys": [
        ("Gatelysene er slukket", "Hele strekningen er mørk om kvelden siden høsten."),
        ("Hull i veien", "Store hull etter vinteren; syklister må svinge ut i veien."),
        ("Gang- og sykkelvei brøytes sent", "Veien brøytes etter at folk har gått til jobb."),
    ],
    "kollektivtransport": [
        ("Bussen går for sjelden", "Én buss i timen holder ikke for dem som jobber skift."),
        ("Leskur ved holdeplassen", "Vi står i regn og vind uten tak mens vi venter."),
        ("Bussen kjem ikkje om kvelden", "Siste buss går før treninga er ferdig."),
    ],
    "lek-og-friluft": [
        ("Lekeplassen er ødelagt", "Husken er borte og sklia har skarpe kanter."),
        ("Tursti langs sjøen", "En sti langs fjæra ville brukes av mange hver dag."),
        ("Meir lys i lysløypa", "Løypa er for mørk i den svarte årstida."),
    ],
    "moteplasser": [
        ("Møteplass for ungdom", "Ungdommene har ingen steder å være etter skolen."),
        ("Benker i sentrum", "Eldre trenger steder å hvile på vei til butikken."),
    ],
    "skole-og-barnehage": [
        ("For trangt i barnehagen", "Det er ventelister, og nye familier flytter hit."),
        ("Skolegården trenger ballbinge", "Elevene har lite å gjøre i friminuttene."),
    ],
    "kultur-og-idrett": [
        ("Kunstgress på banen", "Grusbanen står under vann hver vår og høst."),
        ("Lokaler for korpset", "Korpset øver i en gymsal som er opptatt de fleste kvelder."),
    ],
    "natur-og-miljo": [
        ("Søppel i fjæra", "Mye plast driver i land; vi trenger en container og en ryddedag."),
        ("Ta vare på myra", "Myra er viktig for fugl og vatn og bør ikkje byggjast ut."),
    ],
    "helse-og-omsorg": [
        ("Trygghetsalarm virker ikke", "Dekningen her er for dårlig for alarmene til de eldre."),
    ],
    "annet": [
        ("Dårlig mobildekning", "Vi mister samtalen i hele dalen."),
    ],
}
CATEGORY_WEIGHTS = {
    "trafikksikkerhet": 24,
    "vei-og-gatelys": 16,
    "kollektivtransport": 12,
    "lek-og-friluft": 12,
    "moteplasser": 8,
    "skole-og-barnehage": 8,
    "kultur-og-idrett": 6,
    "natur-og-miljo": 8,
    "helse-og-omsorg": 3,
    "annet": 3,
}

ANSWERS = {
    Status.UNDER_CONSIDERATION: "Takk for innspillet. Vi ser på det sammen med andre innspill "
    "fra området og kommer tilbake når vi vet mer.",
    Status.IN_CASE: "Innspillet tas med i trafikksikkerhetsplanen, sak 2026/1234, som "
    "kommunestyret behandler.",
    Status.DECIDED: "Tiltaket er vedtatt i handlingsprogrammet og får penger i neste års budsjett.",
    Status.IMPLEMENTED: "Dette er nå gjort. Takk for at du sa fra.",
    Status.NOT_PURSUED: "Vi følger ikke dette opp nå: veien er fylkesvei, og vi har sendt "
    "innspillet videre til fylkeskommunen.",
}

STATEMENTS = {  # by council, the first two formal councils by name
    "Skjerstad kommunedelsutvalg (demo)": (
        "Uttalelse fra kommunedelsutvalget",
        "Utvalget ber om at skoleveiene i Skjerstad tas med i planen, og at fartsgrensen "
        "senkes til 40 km/t forbi skolen.",
    ),
    "Ungdomsrådet i Bodø (demo)": (
        "Uttalelse om trafikksikkerhetsplanen",
        "Ungdomsrådet ber om opphøyde gangfelt ved alle skoler langs Rv80, bedre belysning "
        "på gang- og sykkelveien til Mørkved og at ungdom tas med når tiltakene prioriteres.",
    ),
}


@dataclass(order=True)
class _Event:
    at: datetime.datetime
    order: int
    action: str = field(compare=False)
    data: dict = field(compare=False, default_factory=dict)


def load_demo_activity(*, staff: User) -> int:
    """Replay the demo year once; the number of priorities it added (0 when it had run)."""
    municipality = Municipality.objects.get(code=MUNICIPALITY)
    if Case.objects.filter(municipality=municipality, number=CASE_NUMBER).exists():
        return 0
    with transaction.atomic():
        return _Year(municipality, staff).play()


class _Year:
    def __init__(self, municipality: Municipality, staff: User):
        self.rng = random.Random(SEED)  # noqa: S311 - a reproducible demo, not a secret
        self.municipality = municipality
        self.staff = staff
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - datetime.timedelta(days=365)
        self.events: list[_Event] = []
        self.made: list[tuple[Priority, tuple]] = []
        self.case: Case | None = None
        self.due: dict[int, datetime.datetime] = {}  # when each priority will be answered
        RoleGrant.objects.get_or_create(user=staff, role=Role.PLANNER, municipality=municipality)
        self.residents = [demo_account(f"demo-beboer-{n:02d}") for n in range(1, RESIDENTS + 1)]
        self.categories = {
            c.slug: c for c in Category.objects.filter(municipality=None, slug__in=TEXTS)
        }

    def _at(self, day: float) -> datetime.datetime:
        """A moment ``day`` days into the year, in the daytime (08–21)."""
        moment = self.start + datetime.timedelta(days=day)
        return moment.replace(hour=self.rng.randint(8, 21), minute=self.rng.randint(0, 59))

    def _add(self, at: datetime.datetime, action: str, **data) -> None:
        if at < self.now:
            self.events.append(_Event(at, len(self.events), action, data))

    def play(self) -> int:
        self._plan()
        while self.events:
            self.events.sort()
            event = self.events.pop(0)
            with time_machine.travel(event.at, tick=False):
                getattr(self, f"_do_{event.action}")(**event.data)
        return len(self.made)

    def _plan(self) -> None:
        weights = [place[3] for place in PLACES]
        for _n in range(PRIORITIES):
            place = self.rng.choices(PLACES, weights=weights)[0]
            # More input in spring and autumn, as when the snow goes and the schools start.
            day = (
                self.rng.triangular(0, 365, 300)
                if self.rng.random() < 0.5
                else 365 * (self.rng.random())
            )
            self._add(self._at(day), "pin", place=place)
        # The traffic safety plan: registered four months ago, councils asked six weeks
        # ago, their statements three weeks ago.
        self._add(self.now - datetime.timedelta(days=120), "case")
        self._add(self.now - datetime.timedelta(days=45), "consult")
        self._add(self.now - datetime.timedelta(days=21), "statement", index=0)
        self._add(self.now - datetime.timedelta(days=18), "statement", index=1)
        # Planners answer on Tuesdays and Thursdays, all that is due at once.
        day = self.start + datetime.timedelta(days=1)
        while day < self.now:
            if day.weekday() in (1, 3):
                self._add(day.replace(hour=13, minute=30), "answer")
            day += datetime.timedelta(days=1)

    def _point(self, place) -> Point:
        _name, lon, lat, _weight, spread, _days = place
        return Point(
            lon + self.rng.gauss(0, spread * 2), lat + self.rng.gauss(0, spread), srid=4326
        )

    def _do_pin(self, place) -> None:
        slug = self.rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        title, text = self.rng.choice(TEXTS[slug])
        author = self.rng.choice(self.residents)
        for _attempt in range(20):
            try:
                priority = priority_create(
                    author=author,
                    point=self._point(place),
                    category=self.categories[slug],
                    title=title,
                    text=text,
                )
            except ValidationError:  # a point at sea or outside the municipality: again
                continue
            break
        else:
            return
        days = place[5]
        due = None
        if days is not None and self.rng.random() < 0.85:
            due = timezone.now() + datetime.timedelta(days=self.rng.expovariate(1 / days))
        self.made.append((priority, place))
        # Neighbours support it over the next weeks: most get a few, some many.
        supporters = min(int(self.rng.paretovariate(1.3)) - 1, len(self.residents) - 1)
        for user in self.rng.sample(self.residents, supporters + 1):
            if user.pk != author.pk:
                later = timezone.now() + datetime.timedelta(days=self.rng.uniform(0, 40))
                self._add(later, "support", priority=priority, user=user)
        if due is not None:
            self.due[priority.pk] = due

    def _do_support(self, priority: Priority, user: User) -> None:
        priority.refresh_from_db(fields=["visibility", "support_count"])
        if priority.is_public:
            support_add(priority=priority, user=user)

    def _do_answer(self) -> None:
        now = timezone.now()
        due = [p for p, _place in self.made if self.due.get(p.pk, now) < now]
        by_status: dict[str, list[Priority]] = {}
        for priority in due:
            del self.due[priority.pk]
            status = self._status_for(priority)
            by_status.setdefault(status, []).append(priority)
        for status, records in by_status.items():
            input_set_status(
                records=records,
                status=status,
                public_text=ANSWERS[status],
                actor=self.staff,
                case_number=CASE_NUMBER if status == Status.IN_CASE else "",
            )

    def _status_for(self, priority: Priority) -> str:
        in_case = (
            self.case is not None
            and priority.category.slug in ("trafikksikkerhet", "vei-og-gatelys")
            and self.case.areas.filter(pk__in=priority.areas.values("pk")).exists()
        )
        if in_case:
            return Status.IN_CASE
        return self.rng.choices(
            [Status.UNDER_CONSIDERATION, Status.DECIDED, Status.IMPLEMENTED, Status.NOT_PURSUED],
            weights=[45, 20, 20, 15],
        )[0]

    def _do_case(self) -> None:
        self.case = case_create(
            actor=self.staff,
            municipality=self.municipality,
            number=CASE_NUMBER,
            geometry=LineString(ROUTE, srid=4326),
            buffer_metres=ROUTE_BUFFER_METRES,
            area_types=list(AreaType.objects.filter(slug__in=["skolekrets", "grend"])),
            title="Trafikksikkerhetsplan for Bodø 2027–2030 (demo)",
            summary="Kommunen lager en ny plan for trygge skoleveier, fartsgrenser og gangfelt, "
            "først langs Rv80 fra sentrum til Mørkved.",
            body="kommunestyre",
            meeting_date=(self.now + datetime.timedelta(days=60)).date(),
        )
        # Input already given about the route's traffic safety goes into the case too.
        earlier = [
            p
            for p, _place in self.made
            if p.category.slug == "trafikksikkerhet"
            and self.case.areas.filter(pk__in=p.areas.values("pk")).exists()
        ]
        if earlier:
            input_set_status(
                records=earlier[:25],
                status=Status.IN_CASE,
                public_text=ANSWERS[Status.IN_CASE],
                actor=self.staff,
                case_number=CASE_NUMBER,
            )

    def _councils(self) -> list[Council]:
        return list(
            Council.objects.filter(municipality=self.municipality, is_formal=True).order_by("name")
        )

    def _do_consult(self) -> None:
        self.consultation = consultation_create(
            actor=self.staff,
            case=self.case,
            councils=self._councils()[:2],
            deadline=(timezone.now() + datetime.timedelta(days=30)).date(),
            summary=self.case.summary,
            questions="Hvor i nærmiljøet ditt er det farlig å gå eller sykle?",
        )
        # A request for statements is a hearing that invites the councils.
        hearing_from_consultation(self.consultation)

    def _do_statement(self, index: int) -> None:
        council = self._councils()[index]
        secretary = demo_account(f"demo-sekretaer-{index + 1}")
        CouncilMembership.objects.get_or_create(
            council=council, user=secretary, defaults={"role": CouncilMembership.Role.SECRETARY}
        )
        title, text = STATEMENTS.get(council.name, ("Uttalelse", "Rådet støtter planen."))
        submission_file(
            secretary=secretary,
            council=council,
            kind="statement",
            title=title,
            text=text,
            meeting_date=(timezone.now() - datetime.timedelta(days=2)).date(),
            case=self.case,
            consultation=self.consultation,
            areas=list(council.areas.all()),
        )
