"""Exceptions raised by the survey layer.

Every error names the file (when there is one), the field and the rows that broke a rule, so that a user can
fix the data without reading a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence


class SurveyError(ValueError):
    """A survey file, mapping or table breaks a rule of the data model.

    Attributes:
        source: file or table the problem was found in (``None`` for in-memory tables).
        field: the column or mapping key concerned, when there is one.
        rows: identifiers (household or person ids) of offending rows, at most a handful.
        rule: the rule that was broken, in words.
    """

    def __init__(
        self,
        rule: str,
        *,
        source: str | None = None,
        field: str | None = None,
        rows: Sequence[object] | None = None,
    ) -> None:
        self.rule = rule
        self.source = source
        self.field = field
        self.rows = list(rows)[:10] if rows is not None else None
        parts = []
        if source:
            parts.append(f"{source}")
        if field:
            parts.append(f"field '{field}'")
        if self.rows:
            more = "" if rows is None or len(rows) <= 10 else f" (and {len(rows) - 10} more)"
            parts.append(f"rows {self.rows}{more}")
        where = ": ".join([", ".join(parts)]) if parts else ""
        super().__init__(f"{where}: {rule}" if where else rule)
