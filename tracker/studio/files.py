"""YAML in and out of the studio: upload a template or a zip of the library, download one
template (any version) or the whole library as a zip.

An upload is published whole or not at all; a refused one answers 422 with every problem by
file, line and place. A published one shows what each slug became; sending it again changes
nothing (every slug is then unchanged), so the summary is drawn in answer to the POST.
"""
from __future__ import annotations

import io
from datetime import date

from flask import abort, render_template, request, send_file
from flask_login import current_user

from tracker.extensions import db
from tracker.forms import add_error
from tracker.security import id_arg
from tracker.services.errors import InputError
from tracker.services.library_files import (
    library_path,
    publish_upload,
    role_yaml,
    upload_limits,
    whole_library_zip,
)
from tracker.services.role_rules import LibraryError
from tracker.services.role_versions import current_version, version_of
from tracker.services.text import storable
from tracker.studio import bp, studio_access
from tracker.studio.forms import UploadForm

SHOWN_PROBLEMS = 500  # a page of problems past this helps nobody; the count says the rest


def _page(form: UploadForm, status: int = 200, **context):
    return render_template("studio/upload.html", form=form, limits=upload_limits(),
                           shown=SHOWN_PROBLEMS, **context), status


@bp.route("/files/upload", methods=["GET", "POST"])
@studio_access
def upload():
    form = UploadForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, 422)
    upload = form.file.data
    try:
        published = publish_upload(getattr(upload, "filename", None),
                                   getattr(upload, "stream", None), form.note.data,
                                   current_user._get_current_object())
        db.session.commit()
    except InputError as error:
        db.session.rollback()
        add_error(form, error)
        return _page(form, 422)
    except LibraryError as error:
        db.session.rollback()
        return _page(form, 422, problems=error.problems)
    return _page(UploadForm(formdata=None), published=published)


@bp.get("/files/<slug>.yaml")
@studio_access
def download_template(slug: str):
    """The latest version, or ``?version=N``, as the file it would be loaded from."""
    asked = request.args.get("version")
    if not storable(slug):
        abort(404)
    version = current_version(slug) if asked is None else version_of(slug, id_arg(asked) or 0)
    if version is None:
        abort(404)
    text = role_yaml(version)
    name = library_path(version).rsplit("/", 1)[-1]
    return send_file(io.BytesIO(text.encode("utf-8")), mimetype="application/yaml",
                     as_attachment=True, download_name=name)


@bp.get("/files/library.zip")
@studio_access
def download_library():
    """The latest version of every template, in the library's layout: upload it back as is."""
    return send_file(io.BytesIO(whole_library_zip()), mimetype="application/zip",
                     as_attachment=True, download_name=f"role-library-{date.today()}.zip")
