"""A workbook's rows put into the package XlsxWriter wrote: each block of rows rendered
and deflated on a thread of its own, the blocks one deflate stream, the sheet's CRC-32
combined from theirs."""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter.exceptions

from ..columnar.parallel import _cores
from .base import _bytes_of
from .xlsx_cells import _Column, _xml_rows

BLOCK_ROWS = 1 << 16
"""Rows a thread renders and compresses at once."""
COMPRESS_LEVEL = 2
"""The deflate level of the rows: with ISA-L (python-isal) about three times as fast as
zlib's level 1 or 2, with zlib (where python-isal is missing) three to five times as
fast as its default (6); either way a file about a quarter larger than zlib's default
(see ``benchmarks/README.md``)."""


_MARKER = b'<relend:rows n="%d"/>'
"""Where a sheet's rows go in XlsxWriter's sheet XML (its text cells escape ``<``, so
no cell can hold it)."""


@dataclass(frozen=True)
class _PendingRows:
    """The rows of one sheet, to be rendered into the package where ``marker`` is."""

    marker: bytes
    columns: list[_Column]
    rows: pd.DataFrame
    first: int  # the sheet row (from 0) of the first of them
    styles: Mapping[str, int]

    def blocks(self) -> list[int]:
        return list(range(0, len(self.rows), BLOCK_ROWS))

    def render(self, start: int) -> tuple[bytes, int, int, int]:
        """One block as raw deflate ending on a byte boundary (a sync flush), so that
        blocks compressed apart follow one another in one stream; with the CRC-32 and
        the length of its XML, and its row count."""
        block = self.rows.iloc[start : start + BLOCK_ROWS]
        xml = _bytes_of(_xml_rows(self.columns, block, self.first + start, self.styles))
        return _deflated(xml, final=False), zlib.crc32(xml), len(xml), len(block)


def _deflate_module() -> Any:
    """ISA-L's deflate (python-isal, zlib's interface) where installed, else zlib."""
    try:
        from isal import isal_zlib
    except ImportError:  # a platform without its wheels
        return zlib
    return isal_zlib


def _deflated(xml: bytes | memoryview, final: bool) -> bytes:
    """``xml`` as raw deflate, closed (``final``) or ending on a sync flush, on a byte
    boundary, so that another stream may follow it as if one."""
    deflate = _deflate_module()
    packer = deflate.compressobj(COMPRESS_LEVEL, deflate.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(xml) + packer.flush(deflate.Z_FINISH if final else deflate.Z_SYNC_FLUSH)


def _in_order(work: Callable[[int], Any], items: list[int]) -> Iterator[Any]:
    """``work(item)`` for each item, in order, on a thread per core, a few items ahead
    of the caller (which writes one result while the threads make the next)."""
    ahead = _cores() + 1
    pool = ThreadPoolExecutor(max_workers=_cores())
    try:
        futures: list[Future[Any]] = []
        for item in items:
            futures.append(pool.submit(work, item))
            if len(futures) > ahead:
                yield futures.pop(0).result()
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _splice_rows(path: Path, pending: list[_PendingRows], zip64: bool, bar: Any) -> None:
    """Write the package XlsxWriter left at ``path`` again, each sheet's rows in place of
    its marker.

    Notes
    -----
    Each block of rows is rendered and compressed on a thread of its own (Arrow's
    kernels and zlib release the GIL; python-isal's compressor holds it) into raw
    deflate ending on a sync flush; one after another they are one deflate stream,
    closed by the compressed end of the sheet. The zip
    entry of such a sheet is written by hand (header, data, then the header again with
    the CRC-32 and sizes, as :mod:`zipfile` itself does for a stream), the others are
    copied as XlsxWriter made them. ``zip64`` is XlsxWriter's choice for the book; an
    entry that needs ZIP64 without it fails as XlsxWriter's own would.
    """
    if not pending:
        return
    by_marker = {job.marker: job for job in pending}
    with zipfile.ZipFile(path) as made:
        entries = [(info, made.read(info)) for info in made.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=zip64) as package:
        for info, xml in entries:
            found = _MARKER_RE.search(xml) if info.filename.startswith("xl/worksheets/") else None
            if found is None or found.group() not in by_marker:
                package.writestr(info, xml)
                continue
            job = by_marker[found.group()]
            head, tail = xml[: found.start()], xml[found.end() :]
            _write_stream(package, info, head, job, tail, zip64, bar)


_MARKER_RE = re.compile(rb'<relend:rows n="\d+"/>')


def _write_stream(
    package: zipfile.ZipFile,
    like: zipfile.ZipInfo,
    head: bytes,
    job: _PendingRows,
    tail: bytes,
    zip64: bool,
    bar: Any,
) -> None:
    """One sheet's zip entry: ``head``, the job's rows, ``tail``, deflated."""
    entry = zipfile.ZipInfo(like.filename, like.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = like.external_attr
    entry.create_system = like.create_system
    entry.CRC, entry.file_size, entry.compress_size = 0, 0, 0
    handle = package.fp
    assert handle is not None
    entry.header_offset = handle.tell()
    handle.write(entry.FileHeader(zip64))
    crc, size, packed_size = 0, 0, 0

    def put(packed: bytes, xml_crc: int, xml_size: int) -> None:
        nonlocal crc, size, packed_size
        handle.write(packed)
        packed_size += len(packed)
        size += xml_size
        crc = xml_crc if size == xml_size else _crc32_combine(crc, xml_crc, xml_size)

    put(_deflated(head, final=False), zlib.crc32(head), len(head))
    for packed, xml_crc, xml_size, rows in _in_order(job.render, job.blocks()):
        put(packed, xml_crc, xml_size)
        bar.update(rows)
    put(_deflated(tail, final=True), zlib.crc32(tail), len(tail))
    entry.CRC, entry.file_size, entry.compress_size = crc, size, packed_size
    end = handle.tell()
    handle.seek(entry.header_offset)
    try:
        handle.write(entry.FileHeader(zip64))
    except zipfile.LargeZipFile:
        raise xlsxwriter.exceptions.FileSizeError(
            "Filesize would require ZIP64 extensions. Use workbook.use_zip64()."
        ) from None
    handle.seek(end)
    package.filelist.append(entry)
    package.NameToInfo[entry.filename] = entry
    package.start_dir = end
    package._didModify = True  # type: ignore[attr-defined]


_CRC_POLY = 0xEDB88320  # CRC-32's polynomial, bits reversed, as zlib holds it


def _crc_multiply(a: int, b: int) -> int:
    """``a * b`` modulo CRC-32's polynomial (zlib's ``multmodp``)."""
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if not a & (m - 1):
                return p
        m >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1


def _crc_powers() -> list[int]:
    """``x**(2**k)`` modulo the polynomial for k = 0..31 (zlib's ``x2n_table``)."""
    powers = [1 << 30]  # x**1
    for _k in range(31):
        powers.append(_crc_multiply(powers[-1], powers[-1]))
    return powers


_CRC_POWERS = _crc_powers()


def _crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of ``a + b`` from that of ``a``, that of ``b`` and ``len(b)``, as
    zlib's ``crc32_combine`` (which Python's :mod:`zlib` does not offer)."""
    p, k = 1 << 31, 3  # x**0; the length in bits is 8 * length2, hence from x**(2**3)
    while length2:
        if length2 & 1:
            p = _crc_multiply(_CRC_POWERS[k & 31], p)
        length2 >>= 1
        k += 1
    return _crc_multiply(p, crc1) ^ crc2
