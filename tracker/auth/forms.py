from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    URLField,
)
from wtforms.validators import DataRequired, Length

from tracker.forms import Fits, choices
from tracker.reminders.channels import CHOICES as CHANNEL_CHOICES
from tracker.reminders.channels import chat_kinds
from tracker.services.preferences import CHOICES
from tracker.services.text_rules import CHAT_WEBHOOK_URL, TOKEN_NAME


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


def _channel_field(kind) -> SelectField:
    # No default: a kind the page did not draw (chat not offered) keeps its stored choice;
    # and the service names a wrong one in its own words.
    return SelectField(kind.label, choices=choices(CHANNEL_CHOICES.items()), default=None,
                       validate_choice=False)


# Chat on the signed-in preferences page: the person's webhook address, and one choice of
# email, chat or both for each reminder kind that may go to chat (reminders/channels.py).
ChatForm = type("ChatForm", (FlaskForm,), {
    "__doc__": "Where chat messages go, and which reminders go there.",
    "webhook_url": URLField("Chat webhook address (Microsoft Teams or another chat)",
                            validators=[Fits(CHAT_WEBHOOK_URL)]),
    **{kind.value: _channel_field(kind) for kind in chat_kinds()},
})
