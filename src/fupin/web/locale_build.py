"""Compile the translation catalogues (翻译) (.po → .mo) without needing GNU gettext installed.

Run by `make setup`; `fupin compilemessages` does the same where gettext is present.
"""

import os
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def main() -> None:
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        part = mo.with_name(f"{mo.name}.{os.getpid()}")  # written whole, then swapped in: two
        polib.pofile(str(po)).save_as_mofile(str(part))  # runs at once never read half a file
        part.replace(mo)


if __name__ == "__main__":
    main()
