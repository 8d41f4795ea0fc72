"""Chat platforms, each in its own package: telegram/ (python-telegram-bot) and matrix/ (matrix-nio)."""
