"""Keeping the Babel catalogues in ``locales/`` in step with the code.

``extract`` collects every ``_()``/``ngettext()``/``N_()`` message of each domain
(see ``locales/domains.toml``) and merges it into ``<lang>/LC_MESSAGES/<domain>.po``,
keeping existing translations. ``check`` lists what is missing.
"""

from __future__ import annotations

import copy
import io
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract as babel_extract
from babel.messages.pofile import read_po, write_po

from core.config import PROJECT_ROOT, SUPPORTED_LANGUAGES
from core.i18n import LOCALES_DIR

FIRST_DOMAIN = "core"
SOURCE_LANGUAGE = "en"  # message ids are English; an empty English msgstr falls back to them
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}|%\(\w+\)[sd]|%[sd]")
METHODS = {".py": "python", ".html": "jinja2", ".txt": "jinja2"}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}


def load_domains() -> dict[str, list[Path]]:
    with (LOCALES_DIR / "domains.toml").open("rb") as handle:
        config = tomllib.load(handle)
    return {name: [PROJECT_ROOT / p for p in spec["paths"]] for name, spec in config.items()}


def source_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in METHODS))
        elif path.exists():
            files.append(path)
    return files


def template_for(domain: str, paths: list[Path]) -> Catalog:
    catalog = Catalog(project="musharaka", domain=domain, charset="utf-8")
    for file in source_files(paths):
        method = METHODS[file.suffix]
        options = JINJA_OPTIONS if method == "jinja2" else {}
        with file.open("rb") as handle:
            found = babel_extract(
                method,
                handle,
                keywords=DEFAULT_KEYWORDS,
                options=options,
                comment_tags=("Translators:",),
            )
            for lineno, message, comments, context in found:
                location = (str(file.relative_to(PROJECT_ROOT)), lineno)
                catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def po_path(language: str, domain: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(language: str, domain: str) -> Catalog:
    path = po_path(language, domain)
    if not path.exists():
        catalog = Catalog(locale=language, domain=domain, project="musharaka", charset="utf-8")
        # A new domain takes the plural rule its language's catalogues already share (they
        # are merged at run time and read with one rule; Babel's default may differ).
        if domain != FIRST_DOMAIN and po_path(language, FIRST_DOMAIN).exists():
            first = read_catalog(language, FIRST_DOMAIN)
            catalog._num_plurals = first.num_plurals  # type: ignore[assignment]
            catalog._plural_expr = first.plural_expr  # type: ignore[assignment]
        return catalog
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=domain)


_CREATION_DATE = re.compile(rb'^"POT-Creation-Date: .*\\n"$', re.MULTILINE)


def write_catalog(catalog: Catalog, language: str, domain: str) -> None:
    """Write the catalogue, unless only its creation date would change (a refresh that
    changes nothing leaves the file alone, so parallel branches do not conflict on it)."""
    path = po_path(language, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=100,
        omit_header=False,
        include_lineno=False,
        sort_output=True,
        ignore_obsolete=True,
    )
    content = buffer.getvalue()
    if path.exists() and _CREATION_DATE.sub(b"", path.read_bytes()) == _CREATION_DATE.sub(
        b"", content
    ):
        return
    path.write_bytes(content)


def _known_translations(domains: list[str]) -> dict[tuple[str, str | None, object], Any]:
    """Every translation any catalogue holds, by (language, context, msgid)."""
    known: dict[tuple[str, str | None, object], Any] = {}
    for domain in domains:
        for language in SUPPORTED_LANGUAGES:
            for message in read_catalog(language, domain):
                if message.id and all(_translations(message)):
                    known.setdefault((language, message.context, message.id), message.string)
    return known


def extract() -> list[str]:
    """Refresh every catalogue from the code; returns what changed, for the console.

    A message whose file moved to another domain keeps its translation: the new catalogue
    takes it from the one it was in (all catalogues of a language are one table at run time)."""
    report: list[str] = []
    domains = load_domains()
    known = _known_translations(list(domains))
    for domain, paths in domains.items():
        template = template_for(domain, paths)
        for language in SUPPORTED_LANGUAGES:
            catalog = read_catalog(language, domain)
            before = {m.id for m in catalog if m.id}
            # Babel's update shares the template's new messages between catalogues: a copy
            # each, or a translation filled in for one language lands in all of them.
            catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
            for message in catalog:
                earlier = known.get((language, message.context, message.id))
                if message.id and earlier is not None and not all(_translations(message)):
                    message.string = earlier
            after = {m.id for m in catalog if m.id}
            write_catalog(catalog, language, domain)
            added, removed = len(after - before), len(before - after)
            if added or removed:
                report.append(f"{language}/{domain}: +{added} -{removed}")
    return report


@dataclass(frozen=True)
class Problem:
    language: str
    domain: str
    message: str
    what: str

    def __str__(self) -> str:
        return f"{self.language}/{self.domain}.po: {self.what}: {self.message!r}"


def _translations(message: object) -> list[str]:
    string = message.string  # type: ignore[attr-defined]
    return list(string) if isinstance(string, tuple | list) else [string]


def check() -> list[Problem]:
    """Messages in the code that some catalogue lacks or leaves untranslated, and messages
    that two catalogues translate differently."""
    problems: list[Problem] = []
    # (language, context, msgid) -> {translation: first domain giving it}
    seen: dict[tuple[str, str | None, str], dict[tuple[str, ...], str]] = {}
    for domain, paths in load_domains().items():
        template = template_for(domain, paths)
        for language in SUPPORTED_LANGUAGES:
            catalog = read_catalog(language, domain)
            for wanted in template:
                if not wanted.id:
                    continue
                msgid = wanted.id if isinstance(wanted.id, str) else wanted.id[0]
                found = catalog.get(wanted.id, context=wanted.context)
                if found is None:
                    problems.append(Problem(language, domain, msgid, "missing"))
                    continue
                if found.fuzzy:
                    problems.append(Problem(language, domain, msgid, "fuzzy"))
                texts = _translations(found)
                if language == SOURCE_LANGUAGE:
                    continue
                if not all(texts):
                    problems.append(Problem(language, domain, msgid, "untranslated"))
                    continue
                problems.extend(_content_problems(language, domain, msgid, texts))
                seen.setdefault((language, wanted.context, msgid), {}).setdefault(
                    tuple(texts), domain
                )
    return problems + _conflicts(seen)


def _conflicts(
    seen: dict[tuple[str, str | None, str], dict[tuple[str, ...], str]],
) -> list[Problem]:
    """All domains of a language are merged into one table at run time (core/i18n.py), so
    one message id can have only one translation: the last catalogue read would silently
    win. Where the meaning really differs, give the message a context with pgettext()."""
    problems = []
    for (language, context, msgid), texts in seen.items():
        if len(texts) > 1:
            where = "; ".join(f"{domain}: {' | '.join(t)}" for t, domain in texts.items())
            label = f"{context}|{msgid}" if context else msgid
            problems.append(
                Problem(
                    language, "+".join(texts.values()), label, f"translated differently ({where})"
                )
            )
    return problems


def _content_problems(language: str, domain: str, msgid: str, texts: list[str]) -> list[Problem]:
    problems = []
    wanted = set(PLACEHOLDER.findall(msgid))
    for text in texts:
        if language == "ar" and LATIN_LETTER.search(msgid) and not ARABIC_LETTER.search(text):
            problems.append(Problem(language, domain, msgid, "Arabic translation has no Arabic"))
        if set(PLACEHOLDER.findall(text)) != wanted and "{" in msgid + text:
            problems.append(Problem(language, domain, msgid, "placeholders differ"))
    return problems


def files_outside_domains() -> list[Path]:
    """Python files that call _() but belong to no domain (their messages would be lost)."""
    covered = {f.resolve() for paths in load_domains().values() for f in source_files(paths)}
    pattern = re.compile(r"(?<![\w.])(_|ngettext|N_|pgettext)\(\s*[\"f]")
    lonely = []
    for top in ("bot", "storage", "admin", "core", "formengine", "demo"):
        for file in sorted((PROJECT_ROOT / top).rglob("*")):
            if (
                file.suffix not in METHODS
                or file.resolve() in covered
                or file.resolve() == Path(__file__).resolve()
            ):
                continue
            text = file.read_text(encoding="utf-8")
            if pattern.search(text) or ("_(" in text and file.suffix == ".html"):
                lonely.append(file)
    return lonely


def fill(domain: str, language: str, translations: dict[str, str | list[str]]) -> int:
    """Write translations ({msgid: text, or [forms] for plurals}) into one catalogue.

    Message ids not yet in the catalogue are ignored: run ``extract`` first.
    Returns how many entries were filled.
    """
    catalog = read_catalog(language, domain)
    filled = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if not key or key not in translations:
            continue
        value = translations[key]
        message.string = tuple(value) if isinstance(value, list) else value
        message.flags.discard("fuzzy")
        filled += 1
    write_catalog(catalog, language, domain)
    return filled
