from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state (sign out)."""


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("choose a password"),
                                                         Length(max=1024)])
    confirm = PasswordField("The same password again",
                            validators=[DataRequired("type the password a second time")])
