"""Stand-ins for the world outside the bot, on 127.0.0.1, shared by tests/ and bench/: the Telegram
Bot API emulator (tg_emulator), a publisher's WebSub hub (websub_hub) and a real Synapse
homeserver (synapse_server).

A package of the source tree, not of the bot: it is not installed with it (pyproject.toml packages
only bot/ and bot.*), and it imports nothing from tests/ or bench/, nor pytest (the Synapse
fixtures are tests/synapse_fixtures.py). bench/ runs these servers as the tests do without
importing the test suite.
"""
