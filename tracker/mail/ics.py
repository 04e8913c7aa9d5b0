"""Calendar invitations (.ics, METHOD:REQUEST) for milestone check-ins, and the subscribed feed.

The event is all-day on the milestone's due date: the hire and the manager may live in
different zones, and the invitation asks them to hold the conversation that day, not at an
hour we would have to guess. The UID is the plan and milestone, so a second invitation for the
same check-in (a moved due date) updates the calendar entry instead of adding another one; a
higher SEQUENCE tells the calendar which version is newer.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

PRODID = "-//Onboarding Tracker//Check-in invitations//EN"


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def address(self, **params: str) -> vCalAddress:
        address = vCalAddress(f"mailto:{self.email}")
        address.params["cn"] = vText(self.name)
        for key, value in params.items():
            address.params[key.replace("_", "-")] = vText(value)
        return address


def checkin_uid(plan_id: int, milestone_key: str, domain: str) -> str:
    return f"checkin-{plan_id}-{milestone_key}@{domain}"


def checkin_invitation(*, uid: str, sequence: int, stamp: datetime, day: date, summary: str,
                       description: str, url: str, organizer: Person,
                       attendees: list[Person]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")  # a reminder of the day, not a busy block
    event.add("organizer", organizer.address())
    for person in attendees:
        event.add("attendee", person.address(role="REQ-PARTICIPANT", partstat="NEEDS-ACTION",
                                             rsvp="FALSE"))
    calendar.add_component(event)
    return calendar.to_ical()


FEED_PRODID = "-//Onboarding Tracker//Calendar feed//EN"


@dataclass(frozen=True)
class FeedEvent:
    """One all-day entry in a subscribed calendar: ``sequence`` and ``modified`` move on when
    the date does, so an app that kept the old copy replaces it."""

    uid: str
    day: date
    summary: str
    description: str
    url: str
    sequence: int
    created: datetime
    modified: datetime


def feed_calendar(*, name: str, description: str, timezone: str, refresh: timedelta,
                  stamp: datetime, events: list[FeedEvent]) -> bytes:
    """A published calendar (METHOD:PUBLISH, no organizer or attendees: nobody is invited).

    Every event is a date (VALUE=DATE), so no VTIMEZONE is needed and no app can shift one by a
    day; X-WR-TIMEZONE only names the person's zone for apps that want one for the calendar.
    REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL (Apple, Outlook) ask for a poll at least
    this often; Google Calendar picks its own pace, usually some hours.
    """
    calendar = Calendar()
    calendar.add("prodid", FEED_PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    for entry in events:
        event = Event()
        event.add("uid", entry.uid)
        event.add("sequence", entry.sequence)
        event.add("dtstamp", stamp)
        event.add("created", entry.created)
        event.add("last-modified", entry.modified)
        event.add("dtstart", entry.day)
        event.add("dtend", entry.day + timedelta(days=1))
        event.add("summary", entry.summary)
        event.add("description", entry.description)
        event.add("url", entry.url)
        event.add("transp", "TRANSPARENT")  # a day to remember, not a busy block
        calendar.add_component(event)
    return calendar.to_ical()
