"""CSV files that are safe to open in a spreadsheet: every CSV the project writes goes
through ``DictWriter`` here (a test holds the code to that).

Text that a spreadsheet would read as a formula (``=HYPERLINK(...)``, ``@SUM(...)``,
``+cmd|...``) is prefixed with a single quote, as OWASP's "CSV Injection" page
recommends, so that Excel, LibreOffice and Google Sheets show it as text. That is a cell
whose first character is ``=``, ``+``, ``-``, ``@``, a tab, a carriage return, a line feed
or NUL, and also one whose first character after leading spaces is one of the four (a
spreadsheet that trims spaces on import would otherwise see the formula), full-width
forms included (some input methods type them and spreadsheets fold them). Numbers are
written as numbers: a negative longitude stays -12.3, only text is changed.

defusedcsv does the same for ``= + - @ | %`` but leaves cells that start with a tab, a
carriage return or spaces alone and rewrites ``|`` inside the text, so it is not used.
"""

from __future__ import annotations

import csv

FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
CONTROL_STARTS = frozenset("\t\r\n\0")


def safe_cell(value):
    """The value as a spreadsheet should see it: text that could start a formula gets a
    leading single quote; numbers, None and other text are returned as they are."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in CONTROL_STARTS or value.lstrip()[:1] in FORMULA_STARTS:
        return "'" + value
    return value


class DictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose rows (and header) are written through ``safe_cell``."""

    def writerow(self, rowdict):
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for rowdict in rowdicts:
            self.writerow(rowdict)
