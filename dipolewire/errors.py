"""Errors that a user can fix: they are shown as one line, never as a traceback."""


class InputError(ValueError):
    """Bad user input: names the field and what it accepts.

    The CLI prints ``dipolewire: error: <field>: <message>`` and exits with status 2.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class RunStopped(RuntimeError):
    """A run stopped before its end (signal or fault); what was written so far is kept.

    ``exit_status`` is what the CLI returns: 128 + signal number for signals, 1 for faults. ``silent``: the
    message is printed by another process (MPI rank 0), not this one.
    """

    def __init__(self, message: str, exit_status: int = 1, silent: bool = False):
        self.exit_status = exit_status
        self.silent = silent
        super().__init__(message)
