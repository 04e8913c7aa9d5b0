"""The one exception for input a person can fix, shared by every service."""


class InputError(ValueError):
    """``field`` names the form field the message belongs beside."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
