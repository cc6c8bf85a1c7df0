"""schema.org descriptions of public pages, rendered as JSON-LD in the page head."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from statements.models import Meeting, Participant, Person, Resolution, Statement

CONTEXT = "https://schema.org"
# Turns a site path into an absolute URL (request.build_absolute_uri).
Absolute = Callable[[str], str]
MINISTRY = {
    "@type": "GovernmentOrganization",
    "name": "Ministry of Foreign Affairs of Japan",
    "url": "https://www.mofa.go.jp/",
}


def resolution_data(resolution: Resolution, absolute: Absolute) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Legislation",
        "name": str(resolution),
        "legislationIdentifier": str(resolution),
        "url": absolute(resolution.get_absolute_url()),
    }
    if resolution.title:
        data["alternateName"] = resolution.title
    if resolution.adopted_on:
        data["legislationDate"] = resolution.adopted_on.isoformat()
    if resolution.document_url:
        data["sameAs"] = resolution.document_url
    return data


def meeting_data(meeting: Meeting, absolute: Absolute) -> dict[str, Any]:
    """The meeting as an Event, from its own columns: what a page listing it says (a
    statement's); its own page adds who attended."""
    starts_at = meeting.starts_at
    data: dict[str, Any] = {
        "@type": "Event",
        "name": meeting.title,
        "url": absolute(meeting.get_absolute_url()),
        "startDate": starts_at.isoformat() if starts_at else meeting.date.isoformat(),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "organizer": MINISTRY,
    }
    if starts_at and meeting.duration_minutes:
        ends_at = starts_at + dt.timedelta(minutes=meeting.duration_minutes)
        data["endDate"] = ends_at.isoformat()
        data["duration"] = f"PT{meeting.duration_minutes}M"
    if meeting.location:
        data["location"] = {"@type": "Place", "name": meeting.location}
    if meeting.occasion:
        data["superEvent"] = {"@type": "Event", "name": meeting.occasion}
    return data


def statement_data(
    statement: Statement, meetings: list[Meeting], absolute: Absolute
) -> dict[str, Any]:
    """The statement as an Article by the ministry, with the meetings it reports as
    Events and the resolutions it cites as Legislation (``Statement.cited_resolutions``):
    what its page shows of them."""
    url = absolute(statement.get_absolute_url())
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Article",
        "headline": statement.title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": statement.date.isoformat(),
        # Its last change for readers: a typo fixed is not news.
        "dateModified": (statement.public_updated_at or statement.updated_at).isoformat(),
        "inLanguage": "en",
        "author": MINISTRY,
        "publisher": MINISTRY,
        "genre": str(statement.get_kind_display()),
    }
    if statement.speaker:
        data["contributor"] = {"@type": "Person", "name": statement.speaker}
        if statement.person:
            data["contributor"]["url"] = absolute(statement.person.get_absolute_url())
    if statement.source_url:
        data["isBasedOn"] = statement.source_url
    resolutions = statement.cited_resolutions
    if resolutions:
        data["mentions"] = [resolution_data(r, absolute) for r in resolutions]
    if meetings:
        data["about"] = [meeting_data(m, absolute) for m in meetings]
    return data


def meeting_page_data(meeting: Meeting, absolute: Absolute) -> dict[str, Any]:
    """The meeting's Event with its attendees (its participants loaded, with the person
    each one is)."""
    data = {"@context": CONTEXT, **meeting_data(meeting, absolute)}
    attendees = [
        {
            "@type": "Person",
            "name": participant.name,
            **(
                {"url": absolute(participant.person.get_absolute_url())}
                if participant.person
                else {}
            ),
            **({"jobTitle": participant.role} if participant.role else {}),
            **(
                {"affiliation": {"@type": "Organization", "name": participant.organisation}}
                if participant.organisation
                else {}
            ),
        }
        for participant in meeting.participants.all()
    ]
    if attendees:
        data["attendee"] = attendees
    return data


def resolution_page_data(resolution: Resolution, absolute: Absolute) -> dict[str, Any]:
    data = {"@context": CONTEXT, **resolution_data(resolution, absolute)}
    if resolution.summary:
        data["abstract"] = resolution.summary
    return data


def person_page_data(
    person: Person, participations: list[Participant], absolute: Absolute
) -> dict[str, Any]:
    """The person, their other spellings, and the titles and organisations they held at
    the meetings the page lists (newest first, each once): what the page itself says."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Person",
        "name": person.name,
        "url": absolute(person.get_absolute_url()),
    }
    if person.spellings:
        data["alternateName"] = list(person.spellings)
    if titles := list(dict.fromkeys(p.role for p in participations if p.role)):
        data["jobTitle"] = titles
    if organisations := list(
        dict.fromkeys(p.organisation for p in participations if p.organisation)
    ):
        data["affiliation"] = [{"@type": "Organization", "name": name} for name in organisations]
    return data
