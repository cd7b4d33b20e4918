"""Objects for the appraisal tests, made directly or through the services with fixed dates."""

import datetime as dt

from fupin.appraisal import services
from fupin.appraisal.models import Hospital
from tests.conftest import COUNTY


def hospital(
    name: str = "浮梁县人民医院", level: int = 2, area_code: str = COUNTY.ljust(12, "0")
) -> Hospital:
    return Hospital.objects.create(name=name, level=level, area_code=area_code)


def certified(
    user,
    person,
    *,
    chronic_class: str = "I",
    diseases=("高血压",),
    applied_on=dt.date(2018, 3, 1),
    appraised_on=dt.date(2018, 3, 5),
    issued_on=dt.date(2018, 3, 12),
    hospital_obj=None,
):
    """A person through the whole procedure for an any-time class: applied, appraised, notice, certificate."""
    app = services.apply(
        user=user,
        person=person,
        chronic_class=chronic_class,
        diseases=list(diseases),
        day=applied_on,
    )
    services.appraise(
        user=user, application=app, approved=True, day=appraised_on, appraiser="县医保局专家组"
    )
    return services.certify(user=user, application=app, day=issued_on, hospital=hospital_obj)
