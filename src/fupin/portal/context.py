"""Template context of portal pages: who is served, and by whom (代办)."""

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    if not hasattr(request, "resident"):
        return {}
    return {
        "resident": request.resident,
        "resident_household": request.resident_household,
        "assisted_by": request.assisted_by,
        "assist_mode": request.assist_mode,
    }
