"""Municipalities, area types, areas with their generations, and the subdivided lookup copies."""

from __future__ import annotations

import hashlib

import pghistory
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from areas.querysets import AddressQuerySet, AreaQuerySet, MunicipalityQuerySet
from core.history import append_only_history
from core.identity import accent_colour_validator, emblem_path
from core.models import TranslatedName
from core.text import NormalisedTextMixin

# ETRS89 / UTM 33N: Kartverket's national default, in metres. Changing it needs a migration,
# so it is a constant here rather than a setting (settings.NABOLAGET_STORAGE_SRID mirrors it).
STORAGE_SRID = 25833
# How much of a sub-area may lie outside its parent (a share of its area) and still count
# as inside it: the slivers left where the two were digitised apart.
SLIVER_SHARE = 1e-5

kommunenummer_validator = RegexValidator(
    r"^\d{4}$", _("A municipality number (kommunenummer) has four digits, e.g. 1804.")
)


class Municipality(NormalisedTextMixin, models.Model):
    """A municipality (kommune), identified by its four-digit kommunenummer."""

    code = models.CharField(
        _("municipality number"), max_length=4, unique=True, validators=[kommunenummer_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    answer_days = models.PositiveSmallIntegerField(
        _("days to answer"),
        default=30,
        help_text=_("Residents are told they can expect an answer within this many days."),
    )
    answer_body = models.CharField(
        _("who reads the input"),
        max_length=200,
        blank=True,
        help_text=_("Shown on the receipt, e.g. 'the planning department'."),
    )
    report_threshold = models.PositiveSmallIntegerField(
        _("reports before hiding"),
        default=3,
        help_text=_("Input reported by this many residents is hidden until a moderator looks."),
    )
    population = models.PositiveIntegerField(
        _("population"),
        null=True,
        blank=True,
        help_text=_("Residents, for amounts per resident (e.g. SSB's figure for 1 January)."),
    )
    # The municipality's look (core.identity): in the header, the e-mails and the PDFs.
    emblem = models.FileField(
        _("coat of arms"),
        upload_to=emblem_path,
        blank=True,
        help_text=_(
            "A PNG, JPEG or WebP image; it is kept as a PNG at most 256 pixels high or wide."
        ),
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        blank=True,
        validators=[accent_colour_validator],
        help_text=_("E.g. #0b5394: dark enough for white text on it (contrast 4.5:1)."),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AreaType(TranslatedName):
    """A kind of area: kommune, skolekrets (school district), grend (hamlet), bydel …"""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("area type")
        verbose_name_plural = _("area types")

    def __str__(self) -> str:
        return self.name


class AgeGroup(models.TextChoices):
    """The age groups participants are counted in (meetings' participants by age group)
    and population counts are compared in. Kept here, below every app that counts people,
    so that the population counts (``PopulationCount``), the meetings' counts and the
    comparison share one list. "unknown" is for participants only: every resident has an
    age."""

    UNDER_13 = "0-12", _("under 13")
    TEENS = "13-19", _("13–19")
    YOUNG_ADULTS = "20-39", _("20–39")
    ADULTS = "40-66", _("40–66")
    ELDERLY = "67+", _("67 and over")
    UNKNOWN = "unknown", _("age not given")


# The age groups of the population: each is (its value, the lowest age, the highest age or
# None for "and over"). An age band or a single year of age is counted in the group that
# holds it whole.
POPULATION_AGE_GROUPS = (
    (AgeGroup.UNDER_13, 0, 12),
    (AgeGroup.TEENS, 13, 19),
    (AgeGroup.YOUNG_ADULTS, 20, 39),
    (AgeGroup.ADULTS, 40, 66),
    (AgeGroup.ELDERLY, 67, None),
)


# The source of the demo municipality's illustrative areas (nabolaget.demo).
DEMO_SOURCE = "nabolaget-demo"
DEMO_SOURCE_TEXT = _(
    "Nabolaget's demo: illustrative areas made from seed points, not real boundaries."
)


class Area(models.Model):
    """A named (multi)polygon of one area type, in one generation.

    Boundaries change: a re-import with a later ``valid_from`` closes the old
    generation (sets its ``valid_to``) and adds a new one, as MapIt does, so
    input pinned under the old boundary keeps its meaning.
    """

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"), max_length=50, help_text=_("External code, e.g. kommunenummer.")
    )
    type = models.ForeignKey(
        AreaType, models.PROTECT, related_name="areas", verbose_name=_("area type")
    )
    municipality = models.ForeignKey(
        Municipality,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="areas",
        verbose_name=_("municipality"),
    )
    parent = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent area"),
    )
    valid_from = models.DateField(
        _("valid from"), null=True, blank=True, help_text=_("First day in force.")
    )
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("First day no longer in force; empty for the current generation."),
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    geom = models.MultiPolygonField(_("geometry"), srid=STORAGE_SRID, spatial_index=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["type__slug", "name", "code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(
                fields=["type", "code"],
                condition=Q(valid_to__isnull=True),
                name="area_one_current_generation",
            ),
            models.UniqueConstraint(
                fields=["type", "code", "valid_from"],
                name="area_unique_generation",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=F("valid_from")),
                name="area_valid_period",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "type"], name="area_municipality_type")]

    def __str__(self) -> str:
        return f"{self.name} ({self.type.slug} {self.code})"

    def get_absolute_url(self) -> str:
        return reverse("areas:detail", args=[self.pk])

    @property
    def source_text(self) -> str:
        """The source as people read it: the demo's illustrative areas are said to be so in
        the reader's language; any other source is the name the import gave it."""
        if self.source == DEMO_SOURCE:
            return str(DEMO_SOURCE_TEXT)
        return self.source

    def tree_within(self) -> bool:
        """Whether every sub-area in force lies inside this area, so that input in the area's
        tree is input in the area itself (what per-area counts of a tree rely on).

        Cached under the update times of the area and its sub-areas, so a re-import that
        moves a sub-area asks PostGIS again.
        """
        children = sorted(self.children.in_force().values_list("pk", "updated_at"))
        if not children:
            return True
        fingerprint = hashlib.sha256(repr((self.updated_at, children)).encode()).hexdigest()
        key = f"area-tree-within:{self.pk}:{fingerprint[:32]}"
        within = cache.get(key)
        if within is None:
            # Sub-areas digitised apart from their parent stick out by slivers along the
            # border (the demo's: up to 176 m² of 270 km²); those count as inside.
            outside = models.Func(
                models.Func(F("geom"), F("parent__geom"), function="ST_Difference"),
                function="ST_Area",
                output_field=models.FloatField(),
            )
            within = not (
                self.children.in_force()
                .exclude(geom__coveredby=F("parent__geom"))
                .annotate(outside=outside)
                .filter(outside__gt=models.Func(F("geom"), function="ST_Area") * SLIVER_SHARE)
                .exists()
            )
            cache.set(key, within, timeout=None)
        return within


class AreaSubdivision(models.Model):
    """A piece of an area's geometry cut by ST_Subdivide (at most 256 vertices).

    Point-in-polygon on a detailed coastline polygon with thousands of vertices
    is slow; on small pieces with their own bounding boxes in a GiST index it is
    fast. The importer rebuilds an area's pieces whenever its geometry changes.
    """

    area = models.ForeignKey(Area, models.CASCADE, related_name="subdivisions")
    geom = models.PolygonField(srid=STORAGE_SRID, spatial_index=True)

    class Meta:
        verbose_name = _("area subdivision")
        verbose_name_plural = _("area subdivisions")

    def __str__(self) -> str:
        return f"piece {self.pk} of area {self.area_id}"


class Address(models.Model):
    """An official address (from the municipality's address list or Kartverket's Matrikkel).

    Lets residents find a place by typing it, with no external geocoder.
    """

    municipality = models.ForeignKey(Municipality, models.CASCADE, related_name="addresses")
    text = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    post_town = models.CharField(_("post town"), max_length=100, blank=True)
    point = models.PointField(_("place"), srid=STORAGE_SRID)

    objects = AddressQuerySet.as_manager()

    class Meta:
        ordering = ["text"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "text", "postcode"], name="address_unique"
            )
        ]
        indexes = [
            models.Index(Upper("text"), "municipality", name="address_text_upper"),
            # Suggestions as one types (AddressQuerySet.suggest): prefix and word similarity.
            GinIndex(OpClass(Upper("text"), name="gin_trgm_ops"), name="address_text_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.text}, {self.postcode} {self.post_town}".strip(", ")


@pghistory.track(meta=append_only_history("populationuploadevent"))
class PopulationUpload(NormalisedTextMixin, models.Model):
    """One upload of population counts for a municipality's areas of one type, for one year
    (e.g. SSB's figures for 1 January). A new upload for the same type and year replaces
    the one in force (``replaced_at`` is set on the old one, in the same transaction): the
    old counts are kept as history, so an earlier comparison can still be explained."""

    municipality = models.ForeignKey(
        Municipality, models.CASCADE, related_name="population_uploads"
    )
    area_type = models.ForeignKey(
        AreaType, models.PROTECT, related_name="+", verbose_name=_("area type")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Where the counts come from, e.g. “SSB tabell 07459, 1 January 2026”."),
    )
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows read"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-uploaded_at", "-id"]
        verbose_name = _("population upload")
        verbose_name_plural = _("population uploads")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "area_type", "year"],
                condition=Q(replaced_at__isnull=True),
                name="populationupload_one_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.area_type_id} {self.year}"


class PopulationCountQuerySet(models.QuerySet):
    def in_force(self) -> PopulationCountQuerySet:
        """The counts of the uploads not replaced."""
        return self.filter(upload__replaced_at__isnull=True)

    def latest_year(self, municipality, area_type) -> int | None:
        """The latest year with counts in force for the municipality's areas of the type."""
        return (
            PopulationUpload.objects.filter(
                municipality=municipality, area_type=area_type, replaced_at__isnull=True
            )
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )


class PopulationCount(models.Model):
    """How many residents an area had in one age group, in the upload's year."""

    upload = models.ForeignKey(PopulationUpload, models.CASCADE, related_name="counts")
    area = models.ForeignKey(Area, models.CASCADE, related_name="population_counts")
    age_group = models.CharField(
        _("age group"),
        max_length=10,
        choices=[(group.value, group.label) for group, _low, _high in POPULATION_AGE_GROUPS],
    )
    count = models.PositiveIntegerField(_("residents"))

    objects = PopulationCountQuerySet.as_manager()

    class Meta:
        ordering = ["upload", "area", "age_group"]
        verbose_name = _("population count")
        verbose_name_plural = _("population counts")
        constraints = [
            models.UniqueConstraint(
                fields=["upload", "area", "age_group"], name="populationcount_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.age_group}: {self.count}"
