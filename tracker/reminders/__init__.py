"""Reminders: what is due, to whom and when, and what must still hold when it is sent.

The whole feature, minus the machinery that runs it, lives here so that one package answers
"why did (or didn't) this person get this email":

    kinds     the notification kinds and everything modules need to know about each one
    window    the time window of one sweep: local 09:00 in the recipient's zone, weekends, stale
    data      the sweep's reads: a fixed number of set-based queries, whatever the number of plans
    rules     the plan's road: welcome, milestone coming up, check-in, overdue, pulse
    team      the manager's: evidence waiting for review, the weekly digest
    plan      the plan step of a sweep: every row it would insert, and the preview counts
    problems  one plan that cannot be worked out is left out alone, with the reason
    delivery  what still has to hold at send time (skip reasons)

``tracker.jobs`` only runs this (the scheduler, the sweep and dispatch entry points, claims),
and ``tracker.mail`` turns a notification into an email. Nothing here imports either of them.
This module imports nothing, so importing ``tracker.reminders.kinds`` stays cheap and free of
cycles.
"""
