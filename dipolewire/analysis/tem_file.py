"""Reading measured TEM spacings from the CSV files that spreadsheets and image tools write.

Two kinds of table, each with a header line (``#`` comment lines and blank lines are skipped):

distances — one measured intercluster distance per row, in a column whose header names it and its unit::

    distance_nm          distance_A       Length (nm)      Length [Å]       distance_pm
    1.92                 19.2             1.92             19.2             1920

histogram — bin edges and whole-number counts::

    bin_left_nm,bin_right_nm,count
    1.6,1.8,3
    1.8,2.0,12

Lengths may be in nm, Å (``A``, ``Å``, ``angstrom``), pm or µm (``um``); the unit is written in the header
as ``name_unit``, ``name (unit)`` or ``name [unit]``, and everything is converted to nm. Other columns (an
ImageJ/Fiji "Results" table's Area, Mean, Angle …) are ignored; with several distance-like columns
(``distance``, ``length``, ``spacing``) the one to read is named with ``column``. Text may be UTF-8 (with
or without Excel's byte-order mark), UTF-16 with a byte-order mark, or Windows-1252/Latin-1; the
separator may be a comma, a tab or a semicolon (then a decimal comma is read too).

A malformed file gets an error that names the file and the line.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

from ..errors import InputError

#: Length units a header may name (lower case): 1 unit = 10**exponent nm. Powers of ten, so that
#: "19.2" in Å is 1.92 nm exactly as written (converted in decimal, not by a binary factor).
LENGTH_UNITS = {
    "nm": 0,
    "nanometer": 0,
    "nanometers": 0,
    "nanometre": 0,
    "nanometres": 0,
    "å": -1,
    "a": -1,
    "ang": -1,
    "angstrom": -1,
    "angstroms": -1,
    "ångström": -1,
    "ångströms": -1,
    "pm": -3,
    "μm": 3,  # NFKC turns the micro sign µ into the Greek μ
    "um": 3,
    "micron": 3,
    "microns": 3,
    "micrometer": 3,
    "micrometre": 3,
}
#: Header names (lower case, without the unit) of a column of distances.
DISTANCE_NAMES = ("distance", "distances", "length", "spacing", "spacings")
#: Header names of a histogram's columns.
LEFT, RIGHT, COUNT = "bin_left", "bin_right", "count"
_COUNT_NAMES = ("count", "counts")
_ROLES = DISTANCE_NAMES + (LEFT, RIGHT) + _COUNT_NAMES
_UNIT_HINT = "nm, Å (or A), pm or µm (or um), e.g. distance_nm, distance_A, 'Length (nm)', 'Length [Å]'"


@dataclass(frozen=True)
class TemData:
    """Measured spacings: either raw ``distances`` (nm) or a histogram (``edges`` nm, ``counts``).
    ``column``: the header of the column the distances were read from (None for a histogram)."""

    source: str
    distances: np.ndarray | None = None
    edges: np.ndarray | None = None
    counts: np.ndarray | None = None
    column: str | None = None

    @property
    def is_histogram(self) -> bool:
        return self.counts is not None

    def cdf(self, x):
        """Cumulative distribution at ``x`` (nm); linear inside histogram bins."""
        x = np.asarray(x, dtype=float)
        if not self.is_histogram:
            d = np.sort(self.distances)
            return np.searchsorted(d, x, side="right") / len(d)
        cumulative = np.concatenate([[0.0], np.cumsum(self.counts)]) / self.counts.sum()
        return np.interp(x, self.edges, cumulative, left=0.0, right=1.0)

    @property
    def mean(self) -> float:
        if not self.is_histogram:
            return float(self.distances.mean())
        centres = 0.5 * (self.edges[1:] + self.edges[:-1])
        return float(np.average(centres, weights=self.counts))

    @property
    def std(self) -> float:
        if not self.is_histogram:
            return float(self.distances.std(ddof=1)) if len(self.distances) > 1 else float("nan")
        # uniform within each bin: variance of the mixture
        left, right = self.edges[:-1], self.edges[1:]
        centres, widths = 0.5 * (left + right), right - left
        second = np.average(centres**2 + widths**2 / 12.0, weights=self.counts)
        return float(np.sqrt(max(second - self.mean**2, 0.0)))

    @property
    def count(self) -> int:
        return int(self.counts.sum()) if self.is_histogram else len(self.distances)


# --- text ------------------------------------------------------------------------------------------


def decode(raw: bytes, path) -> str:
    """Text of a file as spreadsheets save it: UTF-16 or UTF-8 with a byte-order mark, UTF-8, else
    Windows-1252 (Excel's "CSV" on Windows), else Latin-1 (which reads any byte)."""
    if raw.startswith(b"PK\x03\x04"):
        raise InputError("--tem", f"{path} is a zip archive (an .xlsx workbook?); save the sheet as CSV")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("--tem", f"{path} starts with a UTF-16 byte-order mark but is not UTF-16 text") from None
    raw = raw.removeprefix(codecs.BOM_UTF8)
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


def _delimiter(header_line: str) -> str:
    if "\t" in header_line:
        return "\t"
    if ";" in header_line and "," not in header_line:
        return ";"
    return ","


def _number(text, path, line, column, decimal_comma=False, exponent=0) -> float:
    """The number in a cell, times 10**exponent (in decimal arithmetic: no binary rounding of the factor)."""
    text = text.strip()
    if not text:
        raise InputError("--tem", f"{path}:{line}: no value in column {column}")
    if decimal_comma and re.fullmatch(r"[-+]?\d*,\d+(?:[eE][-+]?\d+)?", text):
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError("--tem", f"{path}:{line}: {column} '{text}' is not a number") from None
    if not value.is_finite():
        raise InputError("--tem", f"{path}:{line}: {column} must be finite, got '{text}'")
    return float(value.scaleb(exponent))


# --- header ----------------------------------------------------------------------------------------


def split_header(cell: str) -> tuple[str, str | None]:
    """``"Length (nm)"`` → ``("Length", "nm")``; ``"distance_A"`` → ``("distance", "A")``; ``"Area"`` →
    ``("Area", None)``. A ``_unit`` or ``/unit`` suffix counts as a unit when it is a length unit or
    follows a known column name."""
    text = unicodedata.normalize("NFKC", cell).strip()
    match = re.fullmatch(r"(.*?)\s*[(\[]\s*([^()\[\]]*?)\s*[)\]]", text)
    if match:
        return match[1], match[2] or None
    match = re.fullmatch(r"(.*?)\s*[_/]\s*([^_/\s]+)", text)
    if match and (match[2].lower() in LENGTH_UNITS or match[1].lower() in _ROLES):
        return match[1], match[2]
    return text, None


def _unit_exponent(cell, path, line, default_unit=None) -> int:
    """The length column headed ``cell`` is in units of 10**exponent nm; ``default_unit`` (``--unit``) serves a
    header without one (ImageJ writes its calibrated unit nowhere in the Results table)."""
    name, unit = split_header(cell)
    if unit is None and default_unit is None:
        raise InputError(
            "--tem",
            f"{path}:{line}: column '{cell.strip()}' has no unit; write it in the header ({_UNIT_HINT}) or give --unit",
        )
    if (
        unit is not None
        and default_unit is not None
        and LENGTH_UNITS.get(unit.lower()) != LENGTH_UNITS.get(default_unit.lower())
    ):
        raise InputError(
            "--unit", f"{path}:{line}: column '{cell.strip()}' says its unit is {unit}, not {default_unit}"
        )
    unit = unit if unit is not None else default_unit
    exponent = LENGTH_UNITS.get(unit.lower())
    if exponent is None:
        raise InputError(
            "--tem",
            f"{path}:{line}: column '{cell.strip()}': '{unit}' is not a length unit read here; use {_UNIT_HINT}",
        )
    return exponent


def _choose(header, column, path, line) -> tuple[str, list[int]]:
    """("distances", [index]) or ("histogram", [left, right, count]) for this header."""
    cells = [cell.strip() for cell in header]
    names = [split_header(cell)[0].lower() for cell in cells]
    shown = ", ".join(f"'{cell}'" for cell in cells if cell)
    if column is not None:
        wanted = unicodedata.normalize("NFKC", column).strip().lower()
        found = [k for k, cell in enumerate(cells) if wanted in (unicodedata.normalize("NFKC", cell).lower(), names[k])]
        if not found:
            raise InputError("--column", f"{path}:{line}: no column '{column}'; the header has {shown}")
        if len(found) > 1:
            matches = ", ".join(f"'{cells[k]}'" for k in found)
            raise InputError("--column", f"{path}:{line}: '{column}' matches {matches}; name one with its unit")
        return "distances", found
    candidates = [(f"'{cells[k]}'", "distances", [k]) for k, name in enumerate(names) if name in DISTANCE_NAMES]
    roles = {LEFT: (LEFT,), RIGHT: (RIGHT,), COUNT: _COUNT_NAMES}
    histogram = {role: [k for k, name in enumerate(names) if name in accepted] for role, accepted in roles.items()}
    if any(histogram.values()):
        missing = [role for role, found in histogram.items() if not found]
        if missing and not candidates:
            raise InputError(
                "--tem",
                f"{path}:{line}: a histogram needs the columns bin_left_<unit>, bin_right_<unit> and count; "
                f"missing {', '.join(missing)}",
            )
        if not missing:
            for role, found in histogram.items():
                if len(found) > 1:
                    raise InputError("--tem", f"{path}:{line}: {len(found)} '{role}' columns; keep one")
            indices = [found[0] for found in histogram.values()]
            candidates.append((",".join(cells[k] for k in indices), "histogram", indices))
    if not candidates:
        raise InputError(
            "--tem",
            f"{path}:{line}: header has no distance column (distance_nm, 'Length (nm)', …) nor histogram columns "
            f"(bin_left_nm,bin_right_nm,count); got {shown or 'nothing'}",
        )
    if len(candidates) > 1:
        listed = "; ".join(name for name, _, _ in candidates)
        raise InputError(
            "--tem", f"{path}:{line}: several columns could hold the distances: {listed}; choose one with --column NAME"
        )
    return candidates[0][1], candidates[0][2]


# --- reading ---------------------------------------------------------------------------------------


def read(path, column: str | None = None, unit: str | None = None) -> TemData:
    """Read a TEM file (see the module docstring); ``column`` names the column of distances, ``unit`` the length
    unit of columns whose header names none."""
    path = Path(path)
    if unit is not None and unicodedata.normalize("NFKC", unit).strip().lower() not in LENGTH_UNITS:
        raise InputError("--unit", f"must be a length unit: nm, Å (or A), pm or µm (or um), got {unit!r}")
    unit = None if unit is None else unicodedata.normalize("NFKC", unit).strip()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("--tem", f"cannot read {path}: {exc.strerror}") from None
    lines = decode(raw, path).splitlines()
    # a spreadsheet's blank rows are separators only
    content = [line for line in lines if line.strip(" \t,;") and not line.lstrip().startswith("#")]
    empty = f"{path} is empty; expected a header (distance_nm or bin_left_nm,bin_right_nm,count) and data rows"
    if not content:
        raise InputError("--tem", empty)
    delimiter = _delimiter(content[0])
    try:
        rows = [
            (n, row)
            for n, row in enumerate(csv.reader(lines, delimiter=delimiter), start=1)
            if row and not row[0].lstrip().startswith("#") and any(cell.strip() for cell in row)
        ]
    except csv.Error as exc:
        raise InputError("--tem", f"{path} is not CSV text: {exc}") from None
    if not rows:
        raise InputError("--tem", empty)
    header_line, header = rows[0]
    while header and not header[-1].strip():  # spreadsheets pad rows with empty cells
        header = header[:-1]
    data = rows[1:]
    if not data:
        raise InputError("--tem", f"{path}: no data rows after the header on line {header_line}")
    kind, indices = _choose(header, column, path, header_line)
    cells = [header[k].strip() for k in indices]
    lengths = cells if kind == "distances" else cells[:2]  # a histogram's counts have no unit
    exponents = [_unit_exponent(cell, path, header_line, unit) for cell in lengths] + [0] * (len(cells) - len(lengths))
    decimal_comma = delimiter != ","
    columns = []
    for n, row in data:
        filled = len(row)
        while filled and not row[filled - 1].strip():
            filled -= 1
        if filled > len(header):
            plural = "s" if len(header) > 1 else ""
            raise InputError(
                "--tem", f"{path}:{n}: expected {len(header)} column{plural} ({','.join(header)}), got {filled}"
            )
        columns.append(
            [
                _number(row[k] if k < len(row) else "", path, n, cell, decimal_comma, exponent)
                for k, cell, exponent in zip(indices, cells, exponents, strict=True)
            ]
        )
    if kind == "distances":
        return _distances(columns, data, cells[0], path)
    return _histogram(columns, data, cells, path)


def _distances(columns, data, cell, path) -> TemData:
    for (n, _), (value,) in zip(data, columns, strict=True):
        if value <= 0:
            raise InputError("--tem", f"{path}:{n}: {cell} must be > 0, got {value:g} nm")
    return TemData(str(path), distances=np.array([value for (value,) in columns]), column=cell)


def _histogram(columns, data, cells, path) -> TemData:
    left, right, counts = [], [], []
    for (n, _), (a, b, c) in zip(data, columns, strict=True):
        if a < 0 or b <= a:
            raise InputError("--tem", f"{path}:{n}: need 0 <= {cells[0]} < {cells[1]}, got {a:g}, {b:g} nm")
        if c < 0:
            raise InputError("--tem", f"{path}:{n}: count must be >= 0, got {c:g}")
        if c != round(c):
            raise InputError("--tem", f"{path}:{n}: count must be a whole number of measured spacings, got {c:g}")
        if left and abs(a - right[-1]) > 1e-9:
            raise InputError(
                "--tem",
                f"{path}:{n}: bins must be contiguous and increasing "
                f"(bin starts at {a:g} nm, previous ended at {right[-1]:g} nm)",
            )
        left.append(a)
        right.append(b)
        counts.append(c)
    if sum(counts) <= 0:
        raise InputError("--tem", f"{path}: all counts are zero")
    return TemData(str(path), edges=np.array(left + [right[-1]]), counts=np.array(counts, dtype=float))
