"""Markers of the scope sweep (tests/access/test_scope_sweep.py).

Every model of every fupin module gets, in each of two townships, a record carrying a text only
that record contains: `marker(town, Model)`, e.g. "乙镇标记referral记". A township page, API answer
or export that shows another township's marker has leaked that record. Each module's world factory
(tests/<app>/sweep.py) makes its marked records; `missing_marked_records()` names every model that
has none, so a new model cannot join without one.
"""

import datetime as dt
import itertools
import random

from django.apps import apps
from django.db import models
from django.db.models import Q

from fupin.demo.people import id_number
from fupin.registry.models import Household, Person
from tests.conftest import COUNTY, TOWN_A, TOWN_B

TOWNS = (TOWN_A, TOWN_B)
MARK = {TOWN_A: "甲镇标记", TOWN_B: "乙镇标记"}

# A model holding no free text of its own carries its marker in a related text field (the name of
# a person made for it): {Model: "person__name"}.
MARKED_THROUGH: dict[type[models.Model], str] = {}
# Models with people's data but no AREA_CODE_FIELD: the path to their area ({ImportRow: "job__area_code"}).
AREA_OF: dict[type[models.Model], str] = {}
# Models that are not area-bound at all, and why.
NOT_AREA_BOUND: dict[type[models.Model], str] = {}
# Marked models whose marker no page, API route or export shows to the county account, and the
# test that checks their scope instead. The sweep fails when one of them turns up after all.
NOT_SHOWN: dict[type[models.Model], str] = {}

_seq = itertools.count(1)


def marker(town: str, model: type[models.Model]) -> str:
    """The text only the marked `model` record of `town` contains (the closing 记 keeps
    "…enrolment记" from being found inside "…enrolmentrecord记")."""
    return f"{MARK[town]}{model._meta.model_name}记"


def fupin_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("fupin.")]


def area_path(model: type[models.Model]) -> str | None:
    return getattr(model, "AREA_CODE_FIELD", None) or AREA_OF.get(model)


def shared(model: type[models.Model]) -> bool:
    """Shared-readable (postings): readable county-wide, so its marker may appear anywhere."""
    return getattr(model, "SHARED_READABLE", False)


def marked_models() -> list[type[models.Model]]:
    return [m for m in fupin_models() if m not in NOT_AREA_BOUND]


def leak_markers(town: str) -> list[str]:
    """Every marker of `town` another township must never see."""
    return [marker(town, m) for m in marked_models() if not shared(m)]


def leaks(text: str, town: str) -> list[str]:
    """The markers of `town` found in `text`."""
    return [m for m in leak_markers(town) if m in text]


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def marked_records(model: type[models.Model], town: str):
    fields = [MARKED_THROUGH[model]] if model in MARKED_THROUGH else _text_fields(model)
    text = Q()
    for field in fields:
        text |= Q(**{f"{field}__contains": marker(town, model)})
    return model._default_manager.filter(text, **{f"{area_path(model)}__startswith": town})


def missing_marked_records() -> list[str]:
    """'app.Model in TOWN' for every area-bound model without a marked record in a township."""
    missing = []
    for model in marked_models():
        if area_path(model) is None:
            missing.append(
                f"{model._meta.label}: no AREA_CODE_FIELD — add it, "
                "or AREA_OF / NOT_AREA_BOUND in tests/access/marks.py"
            )
            continue
        missing += [
            f"{model._meta.label} in {town}"
            for town in TOWNS
            if not marked_records(model, town).exists()
        ]
    return missing


def marked_person(household: Household, model: type[models.Model], **fields) -> Person:
    """A member of `household` whose name is the marker of `model` (for models without text)."""
    n = next(_seq)
    born = dt.date(1985, 1 + n % 12, 1 + n % 28)
    used = set(Person.objects.values_list("id_number", flat=True))
    town = household.village_code[:9]
    return Person.objects.create(
        household=household,
        id_number=id_number(random.Random(n), COUNTY, born, "男", used),
        name=marker(town, model),
        sex="男",
        birth_date=born,
        relation="child",
        **fields,
    )
