"""Who is calling the API, and whether they may: checked once per request, before any view.

A request carries either a personal access token (``Authorization: Bearer …``) or the browser's
session cookie. A token request needs no CSRF token, because a browser never attaches one on its
own; a cookie request that changes something must send the CSRF token like every form does. A
read-only token may only read. Every record a view touches is then checked with the same policy
the pages ask (``services/policy.py``), so the API can do nothing the pages would refuse.
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from tracker.api.docs import PUBLIC_ENDPOINTS
from tracker.api.errors import ApiError
from tracker.extensions import csrf, db, login_manager
from tracker.models import Plan, PlanGoal, PlanMilestone, User
from tracker.services import access_tokens
from tracker.services.errors import InputError
from tracker.services.policy import Decision, PlanPolicy, policy

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def identify() -> None:
    """The blueprint's before-request hook: a token, or the session, or a 401."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    try:
        use = access_tokens.authenticate(request.headers.get("Authorization"))
    except access_tokens.TokenRefused as refused:
        raise _unauthorised(str(refused)) from None
    if use is not None:
        try:
            access_tokens.check_rate(use.token)
        except access_tokens.RateLimited as limited:
            db.session.commit()
            raise ApiError(429, f"This token made too many requests; wait {limited.retry_after} "
                                "seconds and try again.",
                           headers={"Retry-After": str(limited.retry_after)}) from None
        db.session.commit()  # the counted request and "last used" stay even if the view fails
        g.api_token = use
        # What login_user does for this request only: current_user is the token's owner, and
        # no session cookie is written, so a token never turns into a browser session.
        login_manager._update_request_context_with_user(use.user)
        if use.read_only and request.method not in SAFE_METHODS:
            raise ApiError(403, "This token is read-only; make a read-write token to change "
                                "anything.", code="read_only")
    elif not current_user.is_authenticated:
        raise _unauthorised("Sign in, or send a personal access token as "
                            "'Authorization: Bearer <token>'.")
    else:
        g.api_token = None
        if request.method not in SAFE_METHODS and current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()  # a cookie is sent by the browser on its own, so it proves nothing
    if request.method not in SAFE_METHODS and request.content_length and not request.is_json:
        # A form body would slip past the JSON models unread; say what the API takes instead.
        raise ApiError(415, "Send the body as JSON, with 'Content-Type: application/json'.")


def _unauthorised(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="tracker"'})


def me() -> User:
    return current_user._get_current_object()


def forbid(decision: Decision) -> None:
    """A 403 when the refusal is about who is asking; a state refusal is left to the service."""
    if decision.forbidden:
        raise ApiError(403, decision.reason[:1].upper() + decision.reason[1:] + ".")


def enforce(decision: Decision, field: str = "") -> None:
    """A refusal because of who is asking is a 403; because of the state of things, a 422."""
    forbid(decision)
    if not decision:
        raise InputError(field or "request", decision.reason)


def plan_or_404(plan_id: int) -> tuple[Plan, PlanPolicy]:
    """The plan and what the caller may do with it; a plan they may not see does not exist."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or not (can := policy(me(), plan)).view():
        raise ApiError(404, f"There is no plan {plan_id} that you can see.")
    return plan, can


def goal_or_404(plan_id: int, goal_id: int) -> tuple[Plan, PlanGoal, PlanPolicy]:
    plan, can = plan_or_404(plan_id)
    goal = db.session.get(PlanGoal, goal_id)
    if goal is None or goal.plan_id != plan.id:
        raise ApiError(404, f"Plan {plan_id} has no goal {goal_id}.")
    return plan, goal, can


def milestone_or_404(plan: Plan, key: str) -> PlanMilestone:
    for milestone in plan.milestones:
        if milestone.key.value == key:
            return milestone
    raise ApiError(404, f"Plan {plan.id} has no milestone '{key}'.")
