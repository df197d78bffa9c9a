"""The exceptions citecheck raises for a user's mistake; the CLI maps each to exit code 2.

    CitecheckError            one clear line for stderr (str(exc))
    ├── InputError            a letter that is missing, unreadable, binary or of unknown kind
    ├── ConfigError           a bad option value or configuration key (names the key)
    └── OutputError           an output file that cannot be written

Network failures are not exceptions: fetch.py records them in ``Fetched.error``.
"""


class CitecheckError(Exception):
    """Base class: the message is one line meant for the user."""


class InputError(CitecheckError):
    """A letter could not be read or understood."""


class ConfigError(CitecheckError):
    """An option or configuration value is wrong."""


class OutputError(CitecheckError):
    """The output could not be written."""
