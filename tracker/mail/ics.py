"""Calendar invitations (.ics, METHOD:REQUEST) for milestone check-ins.

The event is all-day on the milestone's due date: the hire and the manager may live in
different zones, and the invitation asks them to hold the conversation that day, not at an
hour we would have to guess. The UID is the plan and milestone, so a second invitation for the
same check-in (a moved due date) updates the calendar entry instead of adding another one; a
higher SEQUENCE tells the calendar which version is newer.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

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
