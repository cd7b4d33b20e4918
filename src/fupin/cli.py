"""The `fupin` console script (命令行): Django's management commands under one name.

`fupin migrate`, `fupin demo`, `fupin settle …` — everything a county IT officer types.
"""

import gc
import os
import sys

# Settlement needs no database: these skip Django's start-up (about a second).
DJANGO_FREE = {"settle", "policy"}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in DJANGO_FREE:
        from fupin.policy.allocator import keep_freed_memory

        keep_freed_memory()  # as `python -m fupin.policy` does, before Polars loads
        gc.disable()  # as in `python -m fupin.policy`: no collections while importing
        from fupin.policy.cli import main as policy_main

        gc.freeze()
        gc.enable()
        sys.exit(policy_main(args, prog="fupin"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    if args and args[0] == "demo":
        os.environ.setdefault("FUPIN_DEMO", "1")  # the demo may run without a secret key
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 — loads the settings, which may refuse to start
    except ImproperlyConfigured as exc:
        sys.exit(f"fupin：{exc}")
    execute_from_command_line(["fupin", *args])


if __name__ == "__main__":
    main()
