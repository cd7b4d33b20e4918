"""演示构建钩子 (demo hooks): run the DEMO_BUILDERS hooks of some apps, in the settings' order.

`fupin demo` runs them all; tests that need part of the demo county run the apps they need.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

# The employment family: plans, courses, employers and referrals, loans (each app's own builder).
EMPLOYMENT_APPS = ("assistance", "training", "employment", "startup")


def run(*apps: str) -> str:
    """Run the hooks of `apps` ("employment", "training", …) in DEMO_BUILDERS order; their summaries."""
    summaries = [
        import_string(hook)() or "" for hook in settings.DEMO_BUILDERS if hook.split(".")[1] in apps
    ]
    return "\n".join(summaries)
