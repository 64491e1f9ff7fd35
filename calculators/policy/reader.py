"""Reading a policy file: its bytes as TOML (refused in one line when they are not, or
are nested too deep), its notices, and its versions checked into a program's policy."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .._errors import PolicyFileError
from .._i18n import _
from .checks import MAX_DEPTH, MAX_VERSIONS, _check_complete, _check_shape, _check_windows, _Reader
from .model import Notice, PolicyVersion, ProgramPolicy

SCHEMA = 1

# a version id is a column of loans.csv: no text a spreadsheet would read as a formula
_VERSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _notices(raw: Any, where: str, inherited: Mapping[str, Notice]) -> dict[str, Notice]:
    reader = _Reader(where, {})
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise reader.fail("notices", raw, _("tables [notices.KEY] with issuer and title"))
    out = dict(inherited)
    for key, table in raw.items():
        if not isinstance(table, dict):
            raise reader.fail(f"notices.{key}", table, _("a table with issuer and title"))
        twins = ("issuer_zh", "title_zh", "read_at_zh", "note_zh")
        extra = set(table) - {"issuer", "title", "date", "read_at", "grade", "note", "number",
                              *twins}  # fmt: skip
        if extra:
            reader.stray_twins(table, f"notices.{key}", twins)
            raise reader.fail(f"notices.{key}", sorted(extra), _("issuer, title, date, read_at, "
                              "grade, note, number"))  # fmt: skip
        grade = table.get("grade", "")
        if grade not in ("", "C", "S", "U"):
            raise reader.fail(f"notices.{key}.grade", grade, _("C, S or U"))
        out[key] = Notice(
            key,
            reader.text(table, "issuer", f"notices.{key}"),
            reader.text(table, "title", f"notices.{key}"),
            str(table.get("date", "")),
            str(table.get("read_at", "")),
            grade,
            str(table.get("note", "") or table.get("number", "")),
            reader.twin(table, "title", f"notices.{key}"),
            reader.twin(table, "read_at", f"notices.{key}"),
            reader.twin(table, "note", f"notices.{key}"),
            reader.twin(table, "issuer", f"notices.{key}"),
        )
    return out


def _parse(
    data: Mapping[str, Any], where: str, origin: str, base: ProgramPolicy | None = None
) -> ProgramPolicy:
    """A program's policy from a parsed file; ``base`` is superseded version by version."""
    reader = _Reader(where, {})
    if data.get("schema") != SCHEMA:
        raise reader.fail(
            "schema", data.get("schema"), _("schema = {schema}").format(schema=SCHEMA)
        )
    unknown_keys = set(data) - {"schema", "program", "notices", "versions"}
    if unknown_keys:
        raise reader.fail("keys", sorted(unknown_keys), _("schema, program, notices, versions"))
    program = data.get("program")
    if not isinstance(program, dict) or not isinstance(program.get("id"), str):
        raise reader.fail("program", program, _("a [program] table with an id"))
    pid = program["id"]
    if base is not None and pid != base.program:
        raise reader.fail("program.id", pid, f"{base.program}")
    notices = _notices(data.get("notices"), where, base.notices if base else {})
    reviewed = program.get("reviewed", base.reviewed if base else None)
    if reviewed is not None and (
        not isinstance(reviewed, dt.date) or isinstance(reviewed, dt.datetime)
    ):
        raise reader.fail(
            "program.reviewed", reviewed, _("a date such as 2022-04-01 (TOML date, unquoted)")
        )
    reader = _Reader(where, notices)
    raw_versions = data.get("versions", [])
    if not isinstance(raw_versions, list) or not raw_versions:
        raise reader.fail("versions", raw_versions, _("one or more [[versions]] tables"))
    too_many = _("at most {count} versions of a program").format(count=MAX_VERSIONS)
    if len(raw_versions) > MAX_VERSIONS:
        raise reader.fail("versions", _("{count} versions").format(count=len(raw_versions)),
                          too_many)  # fmt: skip
    existing = {v.version: v for v in base.versions} if base else {}
    versions = dict(existing)
    for i, raw in enumerate(raw_versions):
        key = f"versions[{i}]"  # the TOML path, as the user finds it in the file
        if not isinstance(raw, dict):
            raise reader.fail(key, raw, _("a [[versions]] table"))
        vid = reader.text(raw, "id", key)
        if not _VERSION_ID.fullmatch(vid):
            raise reader.fail(
                f"{key}.id",
                vid,
                _("an id of at most 64 letters, digits, '.', '_' and '-', the first a letter "
                  "or digit, such as tech-2022"),
            )  # fmt: skip
        figures = {
            name: reader.figure(name, value, f"{key}.{name}")
            for name, value in raw.items()
            if name not in ("id", "title", "title_zh", "notice")
        }
        title_zh = reader.twin(raw, "title", key)
        old = existing.get(vid)
        if old is not None:  # superseded: what the file gives is checked as a new one's
            figures = {**old.figures, **figures}
            title = reader.text(raw, "title", key) if "title" in raw else old.title
            title_zh = title_zh if "title" in raw else old.title_zh
            notice_key = str(raw.get("notice", old.notice.key))
        else:
            title = reader.text(raw, "title", key)
            notice_key = str(raw.get("notice"))
        if notice_key not in notices:
            raise reader.fail(
                f"{key}.notice",
                notice_key,
                _("one of {names}").format(names=", ".join(notices)),
            )
        notice = notices[notice_key]
        _check_complete(reader, key, figures)
        _check_shape(reader, key, figures, [*existing.values(), *versions.values()])
        versions[vid] = PolicyVersion(pid, vid, title, notice, figures, origin, title_zh)
    if base is None and len(versions) != len(raw_versions):
        raise reader.fail("versions", _("a repeated id"), _("each version id once"))
    if len(versions) > MAX_VERSIONS:
        raise reader.fail(
            "versions",
            _("{count} versions with those of relend").format(count=len(versions)),
            too_many,
        )
    policy = ProgramPolicy(
        pid,
        str(program.get("name_zh", base.name_zh if base else "")),
        str(program.get("name_en", base.name_en if base else "")),
        notices,
        tuple(replace(v, reviewed=reviewed) for v in sorted(versions.values(), key=_start)),
        reviewed,
    )
    given = {str(raw.get("id")): i for i, raw in enumerate(raw_versions)}
    _check_windows(reader, policy, given)
    return policy


def _start(version: PolicyVersion) -> tuple[int, dt.date]:
    first = version.figures.get("first_disbursement")
    if first is not None and first.value is not None:
        return (0, first.value)
    quarter = version.figures["first_quarter"].value
    return (1, quarter.start)


_TOML_AT = re.compile(r"(.*) \(at (?:line (\d+), column (\d+)|end of document)\)", re.DOTALL)


def _load_toml(data: bytes, where: str) -> dict[str, Any]:
    """A policy file's bytes as TOML, or :class:`PolicyFileError` in one line.

    A UTF-8 byte order mark (as Windows editors save) is skipped. The text is checked
    to be UTF-8 first, naming the line of the first byte that is not; tomllib's syntax
    errors keep its words as the value shown, the line and column and the cause said in
    the user's language. tomllib reads nested arrays and tables by recursion, so a
    file nested some hundreds deep stops it with ``RecursionError``; dotted keys
    (``a.a.a... = 1``) nest tables without it, and a document nested more than
    :data:`MAX_DEPTH` deep is refused alike, before any ``str`` of a value recurses;
    Python refuses integers of more than 4,300 digits with ``ValueError``: all are
    refused as files, not as relend's failures.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first = data.count(b"\n", 0, exc.start) + 1
        raise PolicyFileError(
            "{where}: {at}".format(where=where, at=_("line {line}").format(line=first)),
            data[exc.start : exc.start + 4],
            _("a policy file in UTF-8 (save it as UTF-8 text)"),
        ) from None
    too_deep = PolicyFileError(
        where,
        _("arrays or tables nested too deep to read"),
        _("a policy file whose arrays and tables are nested a few levels deep"),
    )
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.fullmatch(str(exc))
        words, line, column = found.groups() if found else (str(exc), None, None)
        at = (
            _("line {line}, column {column}").format(line=line, column=column)
            if line
            else _("the end of the file")
        )
        raise PolicyFileError(
            f"{where}: {at}",
            words,
            _("a well-formed TOML policy file (what is written at {at} is not TOML)").format(at=at),
        ) from None
    except RecursionError:
        raise too_deep from None
    except ValueError:  # tomllib's int() of a number of more than 4,300 digits
        raise PolicyFileError(
            where,
            _("a number too long to read"),
            _("a policy file whose numbers have a few digits (ratios and rates as strings)"),
        ) from None
    if _deeper_than(parsed, MAX_DEPTH):  # dotted keys nest without tomllib's recursion
        raise too_deep
    return parsed


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether arrays and tables nest more than ``limit`` deep in ``data`` (walked with a
    stack: ``str`` or ``repr`` of a value nested thousands deep, as dotted keys
    ``a.a.a...`` make it, would itself fail by recursion)."""
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
    return False
