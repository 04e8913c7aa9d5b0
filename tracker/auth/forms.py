from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length

from tracker.forms import Fits, choices
from tracker.services.preferences import CHOICES
from tracker.services.text_rules import TOKEN_NAME


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Your work email", validators=[DataRequired("type your email address"),
                                                      Length(max=254)])


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("choose a password"),
                                                         Length(max=1024)])
    confirm = PasswordField("The same password again",
                            validators=[DataRequired("type the password a second time")])


class PreferencesForm(FlaskForm):
    preference = RadioField("Which emails do you want?", validate_choice=False,
                            choices=choices(CHOICES.items()))


class TokenForm(FlaskForm):
    """A new personal access token. Read-only starts ticked: a token that only reads can do
    less harm where it leaks."""

    name = StringField("Name", validators=[Fits(TOKEN_NAME)])
    read_only = BooleanField("Read-only: it can read, but change nothing", default=True)
