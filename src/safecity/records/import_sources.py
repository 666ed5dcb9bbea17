"""Reading legacy registers: CSV with per-line encoding fallback, and Excel workbooks.

Registers typed over the years on different machines mix encodings inside
one file (UTF-8 rows beside Windows-1256 Urdu rows), so each line is decoded
on its own with the first encoding of the mapping that accepts it. A line no
encoding accepts is not guessed at: its record is rejected and says so.
"""

from __future__ import annotations

import codecs
import csv
import re
from codecs import BOM_UTF8
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from safecity.core.errors import InvalidInput

__all__ = ["RawRecord", "RegisterSource", "open_register"]

_BLOCK = 1 << 20
_LINE = re.compile(r"[^\n]*\n|[^\n]+")  # lines as binary files split them: on LF only, LF kept
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes the UTF-8 decoder could not read


@dataclass(slots=True)
class RawRecord:
    row: int  # spreadsheet row number: the header is row 1
    values: list[str]
    undecodable: bool = False


@dataclass
class RegisterSource:
    """Header, records, and how far through the file the reader is (for a progress bar)."""

    header: list[str]
    records: Iterator[RawRecord]
    total: int  # bytes (CSV) or rows (xlsx)
    unit: str
    progress: list[int] = field(default_factory=lambda: [0])
    fallback_lines: list[int] = field(default_factory=lambda: [0])


def _decoded_lines(
    handle: BinaryIO, encodings: tuple[str, ...], progress: list[int], fallback: list[int], bad: set[int]
) -> Iterator[str]:
    if codecs.lookup(encodings[0]).name == "utf-8":
        return chain.from_iterable(_utf8_blocks(handle, encodings, progress, fallback, bad))
    return _lines_one_by_one(handle, encodings, progress, fallback, bad)


def _lines_one_by_one(
    handle: BinaryIO, encodings: tuple[str, ...], progress: list[int], fallback: list[int], bad: set[int]
) -> Iterator[str]:
    first = True
    for number, raw in enumerate(handle, start=1):
        progress[0] += len(raw)
        if first and raw.startswith(BOM_UTF8):
            raw = raw[3:]
        first = False
        yield _decode_line(raw, number, encodings, fallback, bad)


def _decode_line(
    raw: bytes, number: int, encodings: tuple[str, ...], fallback: list[int], bad: set[int]
) -> str:
    """The first encoding that accepts the whole line; none does: marked bad, decoded with U+FFFD."""
    for i, encoding in enumerate(encodings):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if i:
            fallback[0] += 1
        return text
    bad.add(number)
    return raw.decode(encodings[0], errors="replace")


def _utf8_blocks(
    handle: BinaryIO, encodings: tuple[str, ...], progress: list[int], fallback: list[int], bad: set[int]
) -> Iterator[list[str]]:
    """Lines a megabyte at a time: one C-speed decode per block, per-line work only where it failed.

    ``surrogateescape`` keeps the bytes UTF-8 rejected as lone surrogates, so
    a line holding one is turned back into its exact bytes and decoded on its
    own with the fallback encodings, exactly as `_lines_one_by_one` would.
    """
    carry, numbered = b"", 0
    while block := handle.read(_BLOCK):
        progress[0] += len(block)
        if not numbered and not carry and block.startswith(BOM_UTF8):
            block = block[3:]
        block = carry + block
        cut = block.rfind(b"\n") + 1
        carry, block = block[cut:], block[:cut]
        if block:
            yield _block_lines(block, numbered, encodings, fallback, bad)
            numbered += block.count(b"\n")
    if carry:
        yield _block_lines(carry, numbered, encodings, fallback, bad)


def _block_lines(
    block: bytes, numbered: int, encodings: tuple[str, ...], fallback: list[int], bad: set[int]
) -> list[str]:
    text = block.decode("utf-8", "surrogateescape")
    lines: list[str] = _LINE.findall(text)
    if _ESCAPED.search(text) is None:
        return lines
    index, counted = 0, 0
    while (found := _ESCAPED.search(text, counted)) is not None:
        index += text.count("\n", counted, found.start())
        raw = lines[index].encode("utf-8", "surrogateescape")
        lines[index] = _decode_line(raw, numbered + index + 1, encodings, fallback, bad)
        end = text.find("\n", found.start())
        if end < 0:
            break
        counted, index = end + 1, index + 1
    return lines


def _csv_source(path: Path, encodings: tuple[str, ...], delimiter: str) -> RegisterSource:
    handle = path.open("rb")
    progress, fallback, bad = [0], [0], set[int]()
    reader = csv.reader(_decoded_lines(handle, encodings, progress, fallback, bad), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        handle.close()
        raise InvalidInput(f"{path.name} is empty: no header row", field="file") from None
    except csv.Error as exc:
        handle.close()
        raise InvalidInput(f"{path.name}: cannot read the header: {exc}", field="file") from exc

    def records() -> Iterator[RawRecord]:
        row = 1
        last_line = reader.line_num
        try:
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    row += 1
                    yield RawRecord(row, [f"<unreadable CSV: {exc}>"], undecodable=True)
                    last_line = reader.line_num
                    continue
                row += 1
                lines = range(last_line + 1, reader.line_num + 1)
                last_line = reader.line_num
                if not values or (len(values) == 1 and not values[0].strip()):
                    continue
                yield RawRecord(row, values, undecodable=bool(bad) and any(n in bad for n in lines))
        finally:
            handle.close()

    return RegisterSource(header, records(), path.stat().st_size, "bytes", progress, fallback)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")  # Excel dates come as datetimes: ISO, always in date_formats
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_source(path: Path, sheet: str | None) -> RegisterSource:
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise InvalidInput("reading .xlsx needs the openpyxl package", field="file") from exc
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InvalidInput(f"{path.name} is not a readable .xlsx workbook: {exc}", field="file") from exc
    if sheet is not None and sheet not in book.sheetnames:
        raise InvalidInput(
            f"{path.name} has no sheet {sheet!r} ({', '.join(book.sheetnames)})", field="sheet"
        )
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        header = [_cell(v).strip() for v in next(rows)]
    except StopIteration:
        book.close()
        raise InvalidInput(f"{path.name} is empty: no header row", field="file") from None
    progress = [1]

    def records() -> Iterator[RawRecord]:
        try:
            for number, values in enumerate(rows, start=2):
                progress[0] = number
                cells = [_cell(v) for v in values]
                if any(c.strip() for c in cells):
                    yield RawRecord(number, cells)
        finally:
            book.close()

    return RegisterSource(header, records(), int(ws.max_row or 0), "rows", progress)


def open_register(
    path: Path, *, encodings: tuple[str, ...], delimiter: str, sheet: str | None
) -> RegisterSource:
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", field="file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_source(path, encodings, delimiter)
    if suffix == ".xlsx":
        return _xlsx_source(path, sheet)
    raise InvalidInput(f"{path.name}: only .csv and .xlsx registers can be imported", field="file")
