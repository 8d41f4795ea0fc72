"""Errors that end a start with one plain sentence for the operator (the CLI prints it and exits 1).

Low on purpose: the service, the web server and the platforms raise them and the command line
catches them, so it imports nothing of ours. A configuration a user can fix is config.ConfigError;
a second process on one database is store.AlreadyRunning.
"""

from __future__ import annotations


class StartError(Exception):
    """A part could not start (a refused token, an unreachable server, a port taken); one plain sentence."""
