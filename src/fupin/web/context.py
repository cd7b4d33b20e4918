"""Template context processors (模板上下文): the user's area and role, the county's name."""

from django.http import HttpRequest


def user_area(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_area": user.area, "user_role": user.get_role_display()}


def county(request: HttpRequest) -> dict[str, object]:
    """本县名称 for letterheads ("浮梁县人力资源和社会保障局"): the name of settings.COUNTY_CODE, looked up only
    when a template prints it, so no county name is written into a template."""
    from django.conf import settings
    from django.utils.functional import SimpleLazyObject

    from fupin.areas.names import name_of

    return {"county_name": SimpleLazyObject(lambda: name_of(settings.COUNTY_CODE))}
