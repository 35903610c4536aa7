"""Gettext catalogues: extract, check and compile.

The project catalogue (locale/) covers core, organizations, accounts, public and the
shared templates; an app with its own `locale/` folder keeps its own catalogue, so
areas can grow in parallel without touching one file. Compiling uses polib, so set-up
needs no system gettext; extracting uses Django's makemessages (xgettext).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "khuyenhoc"
IGNORE = [".venv/*", "frontend/*", "tests/*", "bench/*", "staticfiles/*", "var/*", "docs/*"]


def catalogues() -> list[Path]:
    return sorted([*REPO.glob("locale/*/LC_MESSAGES/*.po"), *PACKAGE.glob("*/locale/*/LC_MESSAGES/*.po")])


def app_locale_dirs() -> list[Path]:
    return sorted(p.parent for p in PACKAGE.glob("*/locale"))


def extract() -> None:
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyenhoc.config.settings.dev")
    django.setup()
    own = app_locale_dirs()
    cwd = Path.cwd()
    try:
        os.chdir(REPO)
        call_command(
            "makemessages",
            locale=["vi"],
            no_obsolete=True,
            verbosity=0,
            ignore_patterns=IGNORE + [f"khuyenhoc/{d.name}/*" for d in own],
        )
        for app_dir in own:
            os.chdir(app_dir)
            call_command("makemessages", locale=["vi"], no_obsolete=True, verbosity=0, ignore_patterns=["migrations/*"])
    finally:
        os.chdir(cwd)


def main(argv: list[str] | None = None) -> int:
    """Compile every catalogue; --extract first; --check fails on untranslated or fuzzy entries."""
    argv = argv if argv is not None else sys.argv[1:]
    if "--extract" in argv:
        extract()
    bad = 0
    for po_path in catalogues():
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        missing = po.untranslated_entries() + po.fuzzy_entries()
        print(f"{po_path.relative_to(REPO)}: {len(po.translated_entries())} translated, {len(missing)} missing")
        if "--check" in argv:
            for e in missing:
                where = ", ".join(f"{f}:{n}" for f, n in e.occurrences[:2])
                print(f"  untranslated: {e.msgid!r} ({where})")
            bad += len(missing)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
