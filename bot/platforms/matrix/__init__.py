"""Matrix: a matrix-nio client, its command routing and its crypto store."""

from .platform import MatrixPlatform

__all__ = ["MatrixPlatform"]
