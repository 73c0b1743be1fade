"""One term per language for each domain word (locale/GLOSSARY.md): the catalogues do not
use the synonyms the glossary turned down."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
# Per language, a turned-down word and the glossary's term for the same thing.
TURNED_DOWN = {
    "nb": [("prioritering", "prioritet"), ("innspill fra råd", "innsending fra råd")],
    "nn": [("prioritering", "prioritet"), ("innspel frå råd", "innsending frå råd")],
}


def translations(language: str) -> dict:
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as catalogue:
        return gettext.GNUTranslations(catalogue)._catalog


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_catalogue_uses_the_glossarys_terms(language):
    glossary = (LOCALE / "GLOSSARY.md").read_text(encoding="utf-8")
    found = [
        (word, msgstr)
        for msgid, msgstr in translations(language).items()
        if msgid  # the header
        for word, _term in TURNED_DOWN[language]
        if word in msgstr.lower()
    ]

    assert not found, f"{language}: use the glossary's term instead: {found}"
    for _word, term in TURNED_DOWN[language]:
        assert term.split()[0] in glossary


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_catalogue_compiles(language):
    """msgfmt --check finds no fault in the catalogue: entries that a merge joined (a lost
    msgstr) or repeated (the same msgid twice without a message context) stop
    compilemessages, and with it the set-up, for everyone."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is missing (make setup installs it)"
    result = subprocess.run(
        [msgfmt, "--check", "-o", "-", str(LOCALE / language / "LC_MESSAGES" / "django.po")],
        capture_output=True,
        text=False,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
