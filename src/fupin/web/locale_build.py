"""Compile the translation catalogues (.po → .mo) without needing GNU gettext installed.

Run by `make setup`; `fupin compilemessages` does the same where gettext is present.
"""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def main() -> None:
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))


if __name__ == "__main__":
    main()
