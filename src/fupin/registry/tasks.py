"""Background jobs of the registry (后台任务), on whichever Tasks backend is configured."""

from django_tasks import task

from fupin.access.scope import acting_user, scoped
from fupin.areas.models import village_code_range

from .models import Household
from .services import refresh_household_summary


@task()
def refresh_summaries(area_code: str, user_id: int) -> int:
    """Recompute member counts and head names for every household in an area (汇总重算), acting
    for `user_id` (refused unless the area is inside that user's area)."""
    user = acting_user(user_id, area_code)
    households = scoped(
        Household.objects.filter(village_code__range=village_code_range(area_code)), user
    )
    ids = list(households.values_list("id", flat=True))
    for start in range(0, len(ids), 5000):
        refresh_household_summary(ids[start : start + 5000])
    return len(ids)
