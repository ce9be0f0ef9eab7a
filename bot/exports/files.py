"""A table as a file people open in Excel: CSV (UTF-8 with a BOM) or XLSX.

Cells that a spreadsheet would read as a formula (CWE-1236: text starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a leading apostrophe in
CSV, as OWASP advises, since quoting does not help there. In XLSX every string is
written as a string (XlsxWriter's ``write_string``), so none is ever a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

Cell = str | int | datetime | None

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class Table:
    """Rows under a header; dates are the practice's local wall-clock times (naive)."""

    title: str  # the sheet's name
    headers: tuple[str, ...]
    rows: Sequence[Sequence[Cell]]


def escape_formula(text: str) -> str:
    """``=1+1`` -> ``'=1+1``: a spreadsheet shows it as text instead of running it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime(DATE_FORMAT)
    if isinstance(cell, int):
        return str(cell)
    return escape_formula(cell)


def to_csv(table: Table) -> bytes:
    """The table as CSV in UTF-8 with a byte-order mark (so Excel reads it as UTF-8)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([escape_formula(h) for h in table.headers])
    writer.writerows([_csv_cell(c) for c in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    """The table as one XLSX sheet: bold frozen header, a filter, real dates."""
    # Imported here, not at the top: loading XlsxWriter takes about 0.3 s, and only an
    # XLSX export needs it, not every process that loads the commands.
    import xlsxwriter

    out = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with xlsxwriter.Workbook(out, options) as book:
        sheet = book.add_worksheet(table.title[:31])
        bold = book.add_format({"bold": True})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        widths = [len(h) for h in table.headers]
        for col, header in enumerate(table.headers):
            sheet.write_string(0, col, header, bold)
        for r, row in enumerate(table.rows, start=1):
            for col, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, datetime):
                    sheet.write_datetime(r, col, cell, when)
                    size = 16
                elif isinstance(cell, int):
                    sheet.write_number(r, col, cell)
                    size = len(str(cell))
                else:
                    sheet.write_string(r, col, cell)
                    size = len(cell)
                widths[col] = max(widths[col], min(size, 60))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width + 2)
        sheet.freeze_panes(1, 0)
        if table.headers:
            sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.headers) - 1)
    return out.getvalue()
