"""One way to page a long admin list: the page asked for, its size, and how many pages exist."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, request

from tracker.extensions import db


@dataclass(frozen=True)
class Paging:
    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def paging(model, where) -> Paging:
    """The requested page of ``model`` rows matching ``where``; counting is one query."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(where))
    return Paging(max(1, request.args.get("page", 1, type=int)),
                  current_app.config["ADMIN_PAGE_SIZE"], total)
