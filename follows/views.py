"""Pages: the resident's follows (/me/follows/), following a place, the one-click
unsubscribe link of the e-mails, and the Atom feeds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from areas.models import Area, Municipality
from follows import feeds, services
from follows.forms import FollowForm, FollowPlaceForm, resolve_place
from follows.links import unsubscribe_parse
from follows.models import Announcement, Follow


@login_required
def my_follows(request):
    """The account's follows, each with its own form to change it or stop it."""
    follows = list(Follow.objects.of(request.user))
    for follow in follows:
        follow.form = FollowForm(
            prefix=f"f{follow.pk}",
            initial={"topics": follow.topics, "frequency": follow.frequency},
        )
    return render(request, "follows/mine.html", {"follows": follows})


@login_required
def follow_new(request):
    """Follow an area (``?area=ID``) or a whole municipality (``?municipality=CODE``):
    what to hear about and how often. Following a place again changes that follow."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        municipality, area = resolve_place(source.get("area"), source.get("municipality"))
    except ValidationError:
        municipality = area = None
    if request.method == "POST":
        form = FollowPlaceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services.follow_save(
                user=request.user,
                municipality=data["municipality"],
                area=data["area"],
                topics=data["topics"],
                frequency=data["frequency"],
            )
            messages.success(request, _("You follow %(place)s now.") % {"place": _place(data)})
            return redirect("follows:mine")
    elif municipality is None:
        raise Http404
    else:
        existing = Follow.objects.filter(
            user=request.user, municipality=municipality, area=area
        ).first()
        initial = {"area": source.get("area"), "municipality": source.get("municipality")}
        if existing is not None:
            initial.update(topics=existing.topics, frequency=existing.frequency)
        form = FollowPlaceForm(initial=initial)
    place = _place({"municipality": municipality, "area": area}) if municipality else ""
    return render(
        request,
        "follows/new.html",
        {"form": form, "place": place, "area": area, "municipality": municipality},
        status=400 if form.errors else 200,
    )


def _place(data) -> str:
    if data["area"] is not None:
        return data["area"].name
    return _("all of %(municipality)s") % {"municipality": data["municipality"].name}


@login_required
@require_POST
def follow_edit(request, pk: int):
    """Change what one of the account's follows covers and how often."""
    follow = get_object_or_404(Follow.objects.of(request.user), pk=pk)
    form = FollowForm(request.POST, prefix=f"f{follow.pk}")
    if form.is_valid():
        services.follow_save(
            user=request.user,
            municipality=follow.municipality,
            area=follow.area,
            topics=form.cleaned_data["topics"],
            frequency=form.cleaned_data["frequency"],
        )
        messages.success(request, _("Your changes are saved."))
        return redirect("follows:mine")
    follows = list(Follow.objects.of(request.user))
    for other in follows:
        other.form = (
            form
            if other.pk == follow.pk
            else FollowForm(
                prefix=f"f{other.pk}",
                initial={"topics": other.topics, "frequency": other.frequency},
            )
        )
    return render(request, "follows/mine.html", {"follows": follows}, status=400)


@login_required
@require_POST
def follow_delete(request, pk: int):
    """Stop following (one of the account's follows)."""
    follow = get_object_or_404(Follow.objects.of(request.user), pk=pk)
    services.follow_delete(user=request.user, follow_ids=[follow.pk])
    messages.success(
        request, _("You no longer follow %(place)s.") % {"place": _follow_place(follow)}
    )
    return redirect("follows:mine")


def _follow_place(follow) -> str:
    return _place({"area": follow.area, "municipality": follow.municipality})


# One-click unsubscribe (RFC 8058): mail clients POST to the link with no session and no
# CSRF token, so this view alone is exempt; the signed link is what authorises it.
@csrf_exempt
def unsubscribe(request, token: str):
    """A signed unsubscribe link: GET asks to confirm, POST ends the follows at once."""
    try:
        user_id, follow_ids = unsubscribe_parse(token)
    except signing.BadSignature:
        return render(request, "follows/unsubscribe_bad.html", status=400)
    follows = list(
        Follow.objects.filter(user_id=user_id, pk__in=follow_ids).select_related(
            "municipality", "area"
        )
    )
    if request.method == "POST":
        services.unsubscribe(token)
        return render(request, "follows/unsubscribed.html", {"follows": follows})
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    places = [_follow_place(follow) for follow in follows]
    return render(request, "follows/unsubscribe.html", {"places": places, "token": token})


def area_feed(request, pk: int):
    """The Atom feed of what is announced in an area in force."""
    area = (
        Area.objects.in_force()
        .filter(pk=pk, municipality__isnull=False)
        .select_related("municipality")
        .defer("geom")
        .first()
    )
    if area is None:
        raise Http404
    body = feeds.atom(
        title=feeds.feed_title(area.name),
        subtitle=_("Hearings, meetings, cases and answers in %(place)s") % {"place": area.name},
        feed_path=reverse("follows:area_feed", args=[area.pk]),
        page_path=area.get_absolute_url(),
        announcements=Announcement.objects.in_area(area),
        updated=area.updated_at,
    )
    return _atom_response(body)


def municipality_feed(request, code: str):
    """The Atom feed of what is announced anywhere in a municipality."""
    municipality = get_object_or_404(Municipality, code=code)
    body = feeds.atom(
        title=feeds.feed_title(municipality.name),
        subtitle=_("Hearings, meetings, cases and answers in %(place)s")
        % {"place": municipality.name},
        feed_path=reverse("follows:municipality_feed", args=[code]),
        page_path=reverse("priorities:municipality", args=[code]),
        announcements=Announcement.objects.in_municipality(municipality),
        updated=None,
    )
    return _atom_response(body)


def _atom_response(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
