"""Work outside web requests, as thin shells: the scheduler, the sweep and dispatch jobs, claims.

What is due and what still holds at send time is decided in ``tracker.reminders``."""
