"""The `fupin` console script: Django's management commands under one name.

`fupin migrate`, `fupin demo`, `fupin settle …` — everything a county IT officer types.
"""

import os
import sys

# Settlement needs no database: these skip Django's start-up (about a second).
DJANGO_FREE = {"settle", "policy"}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in DJANGO_FREE:
        from fupin.policy.cli import main as policy_main

        sys.exit(policy_main(args, prog="fupin"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fupin", *args])


if __name__ == "__main__":
    main()
