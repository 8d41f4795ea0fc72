"""The public face of the ledger: a read-only web page, Atom and JSON feeds and a JSON API of the
releases families were already alerted to. Never shows what staff hold or reject, subscribers,
chat ids or watched names. Importing this package imports nothing heavy (the config reads
bot.web.settings); the server lives in bot.web.server.
"""
