"""pytest fixtures for a real Synapse homeserver (loopback/synapse_server.py), one server per test
process. Import them into a test module or into conftest.py (importing them in both places still
starts only one server)::

    from tests.synapse_fixtures import matrix_users, synapse  # noqa: F401
    # or, to keep linters from flagging test parameters as redefinitions (F811):
    from tests.synapse_fixtures import matrix_users_fixture, synapse_fixture  # noqa: F401
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from loopback.synapse_server import MatrixUser, SynapseServer

__all__ = ["matrix_users", "matrix_users_fixture", "synapse", "synapse_fixture"]

# One server per test process, even if these fixtures are imported into several modules
# and/or conftest.py (each import makes its own FixtureDef, so share the instance here).
_SESSION: dict[str, object] = {"server": None, "refs": 0}
_SESSION_LOCK = threading.Lock()


def _acquire_session_server(tmp_path_factory: pytest.TempPathFactory) -> SynapseServer:
    with _SESSION_LOCK:
        server = _SESSION["server"]
        if not (isinstance(server, SynapseServer) and server.running):
            import importlib.util

            if importlib.util.find_spec("synapse.app") is None:
                # issue 6: Matrix tests never skip; CI installs Synapse through the test extra
                pytest.fail(
                    "matrix-synapse is not installed: run pip install -e '.[test]'", pytrace=False
                )
            server = SynapseServer()
            server.start(tmp_path_factory.mktemp("synapse"))
            _SESSION["server"] = server
        _SESSION["refs"] = int(_SESSION["refs"]) + 1  # type: ignore[call-overload]
        return server


def _release_session_server() -> None:
    with _SESSION_LOCK:
        _SESSION["refs"] = int(_SESSION["refs"]) - 1  # type: ignore[call-overload]
        server = _SESSION["server"]
        if int(_SESSION["refs"]) <= 0 and isinstance(server, SynapseServer):  # type: ignore[call-overload]
            server.stop()
            _SESSION["server"] = None


@pytest.fixture(scope="session", name="synapse")
def synapse_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """A running SynapseServer shared by the whole test session."""
    server = _acquire_session_server(tmp_path_factory)
    try:
        yield server
    finally:
        _release_session_server()


@pytest.fixture(name="matrix_users")
def matrix_users_fixture(synapse: SynapseServer) -> Callable[..., MatrixUser]:
    """Factory: ``matrix_users(prefix="user", admin=False) -> MatrixUser``, unique per call."""

    def make(prefix: str = "user", *, admin: bool = False) -> MatrixUser:
        return synapse.new_user(prefix, admin=admin)

    return make


# The same fixtures under their pytest names, for ``from tests.synapse_fixtures import synapse``.
synapse = synapse_fixture
matrix_users = matrix_users_fixture
