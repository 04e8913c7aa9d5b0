"""One way to page a long admin list: the page asked for, its size, and how many pages exist."""
from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa
from flask import current_app, request

from tracker.extensions import db
from tracker.security import id_arg


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
    asked = Paging(id_arg(request.args.get("page")) or 1, current_app.config["ADMIN_PAGE_SIZE"],
                   total)
    # Past the last page shows the last page: an offset beyond the table finds nothing anyway.
    return replace(asked, page=min(asked.page, asked.pages))
