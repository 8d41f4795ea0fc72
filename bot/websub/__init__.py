"""WebSub (W3C Recommendation, 2018): a hub pushes a feed's news to the bot instead of the bot
asking for it. `protocol` holds the pure parts (discovery, signatures, the hub's checks, leases);
`subscriber` talks to hubs, answers them on the web server and hands what they push to the
pipeline. The subscriptions are rows of bot/store/websub.py.
"""
