"""Domain errors. Each names the file, line and column, and says what to do."""

from __future__ import annotations

__all__ = ["ConversionError", "DocumentError", "location"]


def location(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of character ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


class ConversionError(ValueError):
    """Base of every error the converter reports to a user (never a traceback)."""


class DocumentError(ConversionError):
    """Something in one source document that stops it from being converted.

    ``str(err)`` reads ``file:line:col: message`` followed by the offending source
    line with a caret under the column, and a hint on what to do.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        excerpt: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.hint = hint
        self.excerpt = excerpt
        super().__init__(self.render())

    @classmethod
    def at(cls, text: str, offset: int, message: str, *, source: str, hint: str | None = None) -> DocumentError:
        line, col = location(text, offset)
        lines = text.split("\n")
        excerpt = lines[line - 1] if 0 < line <= len(lines) else None
        return cls(message, source=source, line=line, column=col, hint=hint, excerpt=excerpt)

    @property
    def where(self) -> str:
        parts = [self.source]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        out = f"{self.where}: {self.message}"
        if self.excerpt is not None and self.column is not None:
            shown = self.excerpt if len(self.excerpt) <= 120 else self.excerpt[:117] + "..."
            caret = " " * (min(self.column, len(shown) + 1) - 1) + "^"
            out += f"\n    {shown}\n    {caret}"
        if self.hint:
            out += f"\n  hint: {self.hint}"
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.source,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }
