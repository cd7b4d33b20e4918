"""The `fupin` console script: Django's management commands under one name.

`fupin migrate`, `fupin demo`, `fupin settle …` — everything a county IT officer types.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fupin", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
