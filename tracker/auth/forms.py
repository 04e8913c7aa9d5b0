from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, RadioField
from wtforms.validators import DataRequired, Length

from tracker.forms import choices
from tracker.services.preferences import CHOICES


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
