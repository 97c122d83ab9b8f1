"""Errors that a user can fix: they are shown as one line, never as a traceback."""


class InputError(ValueError):
    """Bad user input: names the field and what it accepts.

    The CLI prints ``dipolewire: error: <field>: <message>`` and exits with status 2.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")
