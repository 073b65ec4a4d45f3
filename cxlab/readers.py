"""Survey files read as they are (CSV, Excel, SPSS, Parquet): the reading half of :mod:`cxlab.data`.

The formats and their problems (each a :class:`DataError` naming file, column and rows)
are described in :mod:`cxlab.data`, which cleans what is read here; :mod:`cxlab.study`
reads the header of a survey file here to check its codebook.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

__all__ = ["DataError", "SURVEY_FORMATS", "Table", "read_columns", "read_table", "show_numbers", "cell_text"]

#: File types a survey may come in.
SURVEY_FORMATS = (".csv", ".txt", ".xlsx", ".sav", ".parquet")
_DELIMITERS = ",;\t|"


class DataError(ValueError):
    """Bad input data; the message names file, column, rows and count."""


@dataclass(frozen=True, eq=False)
class Table:
    """A survey file as read (:func:`read_table`): its cells and what the file says about them.

    Parameters
    ----------
    data : DataFrame
        The cells: text for CSV and Excel, codes for SPSS, typed values for Parquet.
    source : str, default="survey"
        The file name, used in messages.
    row_numbers : tuple of int, optional
        The file row of every data row (the header is row 1 in a CSV file). Default:
        2, 3, ..., as in a CSV file without blank lines.
    value_labels : mapping, optional
        SPSS value labels per column: ``{column: {code: label}}``.
    dropped_row_index : bool, default=False
        True when an unnamed first column of R row names 1..n was dropped.
    encoding, delimiter : str, optional
        The encoding and field separator a CSV file was read with (None for other formats).

    Examples
    --------
    >>> t = Table(pd.DataFrame({"q1": ["5", "3"]}), source="s.csv")
    >>> t.row_numbers, t.to_frame()["q1"].tolist()
    ((2, 3), ['5', '3'])
    """

    data: pd.DataFrame
    source: str = "survey"
    row_numbers: tuple[int, ...] | None = None
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    dropped_row_index: bool = False
    encoding: str | None = None
    delimiter: str | None = None

    def __post_init__(self) -> None:
        numbers = range(2, len(self.data) + 2) if self.row_numbers is None else self.row_numbers
        object.__setattr__(self, "row_numbers", tuple(int(n) for n in numbers))

    def to_frame(self) -> pd.DataFrame:
        """A copy of the cells."""
        return self.data.copy()


def show_numbers(numbers, limit: int = 5) -> str:
    """The first ``limit`` numbers, comma-separated, with ``", ..."`` when there are more.

    >>> show_numbers(range(2, 10))
    '2, 3, 4, 5, 6, ...'
    """
    numbers = list(numbers)
    return ", ".join(str(n) for n in numbers[:limit]) + (", ..." if len(numbers) > limit else "")


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Text of a CSV file and the encoding used; DataError naming the lines that do not decode."""
    if encoding is not None:
        enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        try:
            return data.decode(enc), encoding
        except UnicodeDecodeError:
            bad = [i + 1 for i, line in enumerate(data.split(b"\n")) if not _decodes(line, enc)]
            raise DataError(f"{name}: not valid {encoding} at line(s) {show_numbers(bad)} ({len(bad)} line(s)); "
                            "set the survey's 'encoding' to the file's encoding (e.g. windows-1252)") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    utf8 = [i + 1 for i, line in enumerate(lines) if not line.isascii() and _decodes(line, "utf-8")]
    other = [i + 1 for i, line in enumerate(lines) if not _decodes(line, "utf-8")]
    if utf8:
        raise DataError(f"{name}: mixed encodings: line(s) {show_numbers(utf8)} are UTF-8 but line(s) {show_numbers(other)} "
                        f"({len(other)} line(s)) are not; re-export the file in one encoding")
    try:
        return data.decode("windows-1252"), "windows-1252"
    except UnicodeDecodeError:
        bad = [i + 1 for i, line in enumerate(lines) if not _decodes(line, "windows-1252")]
        raise DataError(f"{name}: neither UTF-8 nor Windows-1252 at line(s) {show_numbers(bad)}; set the survey's "
                        "'encoding'") from None


def _decodes(line: bytes, enc: str) -> bool:
    try:
        line.decode(enc)
        return True
    except UnicodeDecodeError:
        return False


def _sniff(text: str, delimiter: str | None) -> str:
    if delimiter is not None:
        return delimiter
    sample = text[:20_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample.splitlines() else ""
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def _header(names: list, name: str, where: str = "") -> list[str]:
    cols = ["" if v is None else str(v).strip() for v in names]
    seen: dict[str, list[int]] = {}
    for i, c in enumerate(cols):
        seen.setdefault(c, []).append(i + 1)
    dups = {c: pos for c, pos in seen.items() if len(pos) > 1 and c}
    if dups:
        parts = [f"column {c!r} appears {len(p)} times (columns {show_numbers(p)})" for c, p in dups.items()]
        raise DataError(f"{name}{where}: " + "; ".join(parts) + "; every column needs a unique name")
    return cols


def _is_row_index(rows: list[list[str]], i: int) -> bool:
    """Column ``i`` holds exactly 1..n, the row names R's ``write.csv`` puts in an unnamed first column."""
    return bool(rows) and all(i < len(r) and r[i].strip() == str(k) for k, r in enumerate(rows, start=1))


def _frame(header: list[str], rows: list[list[str]], row_numbers: list[int], name: str, where: str = "",
           **read_with) -> Table:
    unnamed = [i for i, c in enumerate(header) if not c]
    keep = [i for i in range(len(header)) if i not in unnamed or any(r[i].strip() for r in rows if i < len(r))]
    row_index = bool(keep) and keep[0] == 0 and not header[0] and _is_row_index(rows, 0)
    if row_index:  # an R row index, not data: dropped
        keep = keep[1:]
    if any(not header[i] for i in keep):
        pos = [i + 1 for i in keep if not header[i]]
        raise DataError(f"{name}{where}: column(s) {show_numbers(pos)} have values but no name in the header")
    if not rows:
        raise DataError(f"{name}{where}: the file has a header but no data rows")
    df = pd.DataFrame([[r[i] for i in keep] for r in rows], columns=[header[i] for i in keep], dtype="str")
    return Table(df, name, tuple(row_numbers), dropped_row_index=row_index, **read_with)


def _read_csv(path: Path, *, delimiter, decimal, encoding, header_only=False) -> Table | list[str]:
    data = path.read_bytes()
    name = path.name
    if not data.strip():
        raise DataError(f"{name}: the file is empty ({len(data)} bytes)")
    text, used = _decode(data, name, encoding)
    delim = _sniff(text, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    rows, numbers = [], []
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            rows.append(row)
            numbers.append(reader.line_num)
            if header_only:
                break
    except csv.Error as exc:
        raise DataError(f"{name}: cannot read line {reader.line_num}: {exc} (a truncated file or an unclosed quote?)") from None
    header = _header(rows[0], name)
    if header_only:
        return header
    body, body_numbers = rows[1:], numbers[1:]
    wrong = [(n, len(r)) for n, r in zip(body_numbers, body) if len(r) != len(header)]
    if wrong:
        short = sum(1 for _, k in wrong if k < len(header))
        raise DataError(
            f"{name}: {len(wrong)} row(s) do not have the header's {len(header)} fields at line(s) "
            f"{show_numbers(n for n, _ in wrong)} (e.g. {wrong[0][1]} fields"
            + ("; a truncated file?" if short and wrong[-1][0] == body_numbers[-1] else "; a wrong delimiter?")
            + f" The delimiter used was {delim!r}.)")
    if decimal == ",":
        body = [[v.replace(",", ".") if _DECIMAL_COMMA.match(v) else v for v in r] for r in body]
    return _frame(header, body, body_numbers, name, encoding=used, delimiter=delim)


def cell_text(v) -> str:
    """A spreadsheet cell as text: ``""`` for empty, whole floats without ``.0``, dates in ISO form."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _read_xlsx(path: Path, *, sheet, header_rows: int, header_only=False) -> Table | list[str]:
    import openpyxl

    name = path.name
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException ...
        raise DataError(f"{name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    if sheet is None:
        ws = wb.worksheets[0]
    elif isinstance(sheet, int):
        if not 1 <= sheet <= len(wb.worksheets):
            raise DataError(f"{name}: sheet number {sheet} does not exist (the workbook has {len(wb.worksheets)})")
        ws = wb.worksheets[sheet - 1]
    elif sheet in wb.sheetnames:
        ws = wb[sheet]
    else:
        raise DataError(f"{name}: no sheet {sheet!r} (sheets: {', '.join(map(repr, wb.sheetnames))})")
    where = f", sheet {ws.title!r}"
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    if not grid or all(all(v is None for v in r) for r in grid):
        raise DataError(f"{name}{where}: the sheet is empty")
    merged_in_header = [m for m in ws.merged_cells.ranges if m.min_row <= header_rows]
    if header_rows == 1 and merged_in_header:
        raise DataError(f"{name}{where}: header row 1 has merged cells ({show_numbers(str(m) for m in merged_in_header)}); "
                        "the sheet seems to have more than one header row: set the survey's 'header_rows' "
                        "(e.g. header_rows: 2) so the column names are read from the last one")
    for m in merged_in_header:  # a merged header cell names every column it spans
        top = grid[m.min_row - 1][m.min_col - 1]
        for r in range(m.min_row, min(m.max_row, header_rows) + 1):
            for c in range(m.min_col, m.max_col + 1):
                grid[r - 1][c - 1] = top
    width = max(len(r) for r in grid)
    grid = [r + [None] * (width - len(r)) for r in grid]
    names = []
    for c in range(width):
        stack = [grid[r][c] for r in range(min(header_rows, len(grid))) if grid[r][c] not in (None, "")]
        names.append(stack[-1] if stack else None)
    header = _header(names, name, where)
    if header_only:
        return header
    body = [(i + 1, [cell_text(v) for v in r]) for i, r in enumerate(grid) if i >= header_rows]
    body = [(n, r) for n, r in body if any(v.strip() for v in r)]
    return _frame(header, [r for _, r in body], [n for n, _ in body], name, where)


def _read_sav(path: Path, *, encoding, header_only=False) -> Table | list[str]:
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, metadataonly=header_only,
                                       encoding=encoding)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise DataError(f"{path.name}: not a readable SPSS .sav file ({exc})") from None
    header = _header(list(meta.column_names), path.name)
    if header_only:
        return header
    if df.empty:
        raise DataError(f"{path.name}: the file has variables but no cases (data rows)")
    labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
    return Table(df, path.name, tuple(range(1, len(df) + 1)), labels)


def _reader(path: Path, options: Mapping[str, Any], header_only: bool):
    opts = dict(options)
    unknown = set(opts) - {"delimiter", "decimal", "encoding", "sheet", "header_rows"}
    if unknown:
        raise ValueError(f"Unknown read option(s) for {path.name}: {', '.join(sorted(unknown))}")
    if not path.exists():
        raise FileNotFoundError(f"Survey file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, delimiter=opts.get("delimiter"), decimal=opts.get("decimal", "."),
                         encoding=opts.get("encoding"), header_only=header_only)
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet=opts.get("sheet"), header_rows=opts.get("header_rows", 1),
                          header_only=header_only)
    if suffix == ".sav":
        return _read_sav(path, encoding=opts.get("encoding"), header_only=header_only)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            if header_only:
                return list(pq.read_schema(path).names)
            df = pd.read_parquet(path)
        except Exception as exc:  # ArrowInvalid for a truncated or foreign file
            raise DataError(f"{path.name}: not a readable Parquet file ({exc})") from None
        if df.empty:
            raise DataError(f"{path.name}: the file has columns but no data rows")
        return Table(df, path.name, tuple(range(1, len(df) + 1)))
    raise DataError(f"{path.name}: unsupported file type {path.suffix!r} (use {', '.join(SURVEY_FORMATS)})")


def read_columns(path: str | Path, **options) -> list[str] | None:
    """Column names of a survey file, reading as little of it as the format allows.

    Takes the read options of :func:`read_table`. Returns None for a type it cannot read.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = p.write_text("id;q1\\nr1;5\\n")
    >>> read_columns(p)
    ['id', 'q1']
    """
    path = Path(path)
    if path.suffix.lower() not in SURVEY_FORMATS + (".tsv",):
        return None
    return _reader(path, options, header_only=True)


def read_table(path: str | Path, **options) -> Table:
    """Read a survey file as it is: text cells for CSV and Excel, codes for SPSS.

    An unnamed first column holding exactly 1, 2, ..., n (the row names R's ``write.csv``
    adds) is dropped; any other unnamed column with values is an error.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (also ``.txt``/``.tsv``), ``.xlsx``, ``.sav`` or ``.parquet``.
    delimiter : str, optional
        CSV field separator; default: sniffed from the file (``,``, ``;``, tab or ``|``).
    decimal : {".", ","}, default="."
        ``","`` turns decimal commas (``"3,5"``) into points.
    encoding : str, optional
        Default: UTF-8 (with or without BOM), else Windows-1252; a file mixing the two
        is an error naming the lines.
    sheet : str or int, optional
        Excel sheet name or number (1 = first; the default).
    header_rows : int, default=1
        Excel header rows; merged header cells name every column they span and the
        column names come from the last header row.

    Returns
    -------
    Table
        ``data`` (the cells), ``source`` (the file name), ``row_numbers`` (the file row
        of every data row; the header is row 1 in a CSV file), ``value_labels`` (SPSS),
        ``dropped_row_index`` (True when an R row index was dropped), and for a CSV file
        the ``encoding`` and ``delimiter`` it was read with.

    Raises
    ------
    DataError
        For an empty file, a header without rows, a repeated column name, rows with the
        wrong number of fields (a truncated file), undecodable or mixed encodings, merged
        Excel header cells read as one header row, or an unreadable file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = p.write_bytes("id;duur;stad\\nr1;3,5;Zürich\\n".encode("windows-1252"))
    >>> t = read_table(p, decimal=",")
    >>> t.data["duur"].tolist(), t.row_numbers, t.encoding, t.delimiter
    (['3.5'], (2,), 'windows-1252', ';')
    """
    return _reader(Path(path), options, header_only=False)
