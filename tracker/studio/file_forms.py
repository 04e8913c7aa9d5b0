"""The studio's upload form: shape only (CSRF, the note's limit); the upload's rules, and the
words for a missing file or note, are the service's (tracker/services/library_files.py)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField

from tracker.forms import Fits
from tracker.services.text_rules import CHANGE_NOTE


class UploadForm(FlaskForm):
    file = FileField("A template (.yaml) or the library (.zip)")
    note = TextAreaField("What changed", validators=[Fits(CHANGE_NOTE)], render_kw={"rows": 2})
