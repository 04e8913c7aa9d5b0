"""HR imports hires from a CSV file: check first (a dry run that lists every row's problems),
then create them all, or none. The file's text comes back with the check's answer, so importing
what was checked needs no second upload; it is checked again in full either way."""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.admin import admin_required, bp
from tracker.admin.forms import ImportForm
from tracker.extensions import db
from tracker.services.bulk_import import MAX_ROWS, OPTIONAL, REQUIRED, import_hires
from tracker.services.text_rules import IMPORT_CSV

EXAMPLE = ("name,email,role,start_date,manager,buddy,timezone,layers\n"
           "Ada Lovelace,ada@example.com,machine-learning-engineer,2026-09-07,"
           "maya.chen@example.com,,Europe/London,platform-team\n")


def _text(form: ImportForm) -> str | None:
    """The CSV as text, from the upload or from the check's page; None with a form error."""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        raw = upload.read(IMPORT_CSV.limit + 1)
        if len(raw) > IMPORT_CSV.limit:
            form.file.errors = [f"the file is over {IMPORT_CSV.limit:,} bytes; split it"]
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            form.file.errors = ["save the file as CSV in UTF-8 (most spreadsheets offer it)"]
            return None
    if form.csv_text.data:
        return form.csv_text.data
    form.file.errors = ["choose a CSV file"]
    return None


@bp.route("/hires/import", methods=["GET", "POST"])
@admin_required
def import_hires_page():
    form = ImportForm()
    result, status = None, 200
    if form.validate_on_submit():
        text = _text(form)
        if text is None:
            status = 422
        else:
            dry_run = not form.create.data
            result = import_hires(text, actor=current_user, dry_run=dry_run,
                                  default_timezone=current_app.config["DEFAULT_TIMEZONE"])
            if result.ok and not dry_run:
                db.session.commit()
                flash(f"Created {result.created} hires and their plans; each new person gets "
                      "a welcome email with a link to choose a password.", "info")
                return redirect(url_for("admin.plans"), 303)
            db.session.rollback()
            form.csv_text.data = text
            status = 200 if result.ok else 422
    elif form.is_submitted():
        status = 422
    return render_template("admin/hires_import.html", form=form, result=result,
                           required=REQUIRED, optional=OPTIONAL, max_rows=MAX_ROWS), status


@bp.get("/hires/import/example.csv")
@admin_required
def import_example():
    return Response(EXAMPLE, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="hires.csv"'})
