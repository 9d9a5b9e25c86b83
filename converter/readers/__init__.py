"""Source readers: text of one export -> :class:`converter.model.Document`."""

from .wilson import DocumentErrors, read

__all__ = ["DocumentErrors", "read"]
