"""relend's message catalogs: extract the marked messages, update the ``.po`` files, compile.

Usage (from the repository root, with the test extras installed)::

    python -m tests.catalogs update [DOMAIN ...]   # new messages into the .po files
    python -m tests.catalogs compile   # every .po into its .mo (shipped in the wheel)
    python -m tests.catalogs check     # exit 1 if a message is untranslated or a .mo stale

Babel extracts what the code marks: ``_()`` in :mod:`calendars` (catalog
``calendars``), ``_()`` and ``n_()`` in :mod:`calculators` (catalog ``calculators``),
``cli_()`` and ``cli_n()`` in :mod:`calculators` (catalog ``cli``, the command line's
words). The English text is the message id.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from tests.paths import ROOT

LANGS = ("zh",)


@dataclass(frozen=True)
class Domain:
    name: str
    package: str
    keywords: dict[str, tuple[int, ...] | None]

    def po(self, lang: str) -> Path:
        return ROOT / self.package / "locale" / lang / "LC_MESSAGES" / f"{self.name}.po"

    def mo(self, lang: str) -> Path:
        return self.po(lang).with_suffix(".mo")


DOMAINS = (
    Domain("calendars", "calendars", {"_": None}),
    Domain("calculators", "calculators", {"_": None, "N_": None, "n_": (1, 2)}),
    Domain("cli", "calculators", {"cli_": None, "cli_n": (1, 2)}),
)


def extracted(domain: Domain) -> Catalog:
    """Every message the code of ``domain``'s package marks for it."""
    catalog = Catalog(domain=domain.name)
    found = extract_from_dir(
        str(ROOT / domain.package),
        method_map=[("**.py", "python")],
        keywords=domain.keywords,
        comment_tags=("TRANSLATORS:",),
    )
    for filename, lineno, message, comments, context in found:
        where = [(f"{domain.package}/{filename}", lineno)]
        catalog.add(message, None, where, auto_comments=comments, context=context)
    return catalog


def read_catalog(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang, project="relend", copyright_holder="relend", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def update(names: list[str]) -> None:
    for domain in DOMAINS:
        if names and domain.name not in names:
            continue
        template = extracted(domain)
        for lang in LANGS:
            catalog = read_catalog(domain.po(lang), lang)
            # a stable header: only the messages change from one update to the next
            template.creation_date = catalog.creation_date
            catalog.update(template, no_fuzzy_matching=True)
            catalog.revision_date = catalog.creation_date
            catalog.obsolete.clear()
            domain.po(lang).parent.mkdir(parents=True, exist_ok=True)
            with domain.po(lang).open("wb") as handle:
                write_po(handle, catalog, width=100, sort_by_file=True, include_lineno=False)


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def compile_all() -> None:
    for domain in DOMAINS:
        for lang in LANGS:
            catalog = read_catalog(domain.po(lang), lang)
            domain.mo(lang).write_bytes(compiled(catalog))


def _forms(text: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    return text if isinstance(text, str) else tuple(text)


def problems() -> list[str]:
    """Every untranslated message, message missing from a ``.po`` and stale ``.mo``."""
    found: list[str] = []
    for domain in DOMAINS:
        template = extracted(domain)
        for lang in LANGS:
            catalog = read_catalog(domain.po(lang), lang)
            for message in template:
                if not message.id:
                    continue
                entry = catalog.get(message.id, context=message.context)
                where = ", ".join(f"{f}:{n}" for f, n in message.locations)
                if entry is None:
                    found.append(f"{domain.name}/{lang}: not in the .po ({where}): {message.id!r}")
                elif not entry.string or (
                    isinstance(entry.string, tuple) and not all(entry.string)
                ):
                    found.append(f"{domain.name}/{lang}: untranslated ({where}): {message.id!r}")
                elif entry.fuzzy:
                    found.append(f"{domain.name}/{lang}: fuzzy ({where}): {message.id!r}")
            if not domain.mo(lang).exists():
                found.append(f"{domain.name}/{lang}: {domain.mo(lang)} missing")
                continue
            with domain.mo(lang).open("rb") as handle:
                shipped = read_mo(handle)
            want = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
            # read_mo gives a plural message's forms as lists, read_po as tuples
            have = {_forms(m.id): _forms(m.string) for m in shipped if m.id}
            if want != have:
                found.append(
                    f"{domain.name}/{lang}: {domain.mo(lang).name} differs from the .po;"
                    " run python -m tests.catalogs compile"
                )
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update(argv[1:])
    elif command == "compile":
        compile_all()
    elif command == "check":
        listed = problems()
        print("\n".join(listed) or "every message is translated and compiled")
        return 1 if listed else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
