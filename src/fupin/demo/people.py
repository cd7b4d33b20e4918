"""Synthetic but plausible registry people for a county (演示数据), from a fixed seed."""

import datetime as dt
import random

from faker import Faker

from fupin.registry.idnumber import check_char


def id_number(rng: random.Random, county: str, born: dt.date, sex: str, used: set[str]) -> str:
    """A valid 18-character ID number from the county's area code, unique within `used`."""
    while True:
        seq = rng.randrange(0, 500) * 2 + (1 if sex == "男" else 0)
        first17 = f"{county}{born:%Y%m%d}{seq:03d}"
        value = first17 + check_char(first17)
        if value not in used:
            used.add(value)
            return value


def birth_date(rng: random.Random, age: int, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=age * 365 + rng.randrange(0, 365))


class Names:
    """Chinese names with a shared family name per household."""

    def __init__(self, seed: int):
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)

    def surname(self) -> str:
        return self.fake.last_name()

    def given(self, sex: str) -> str:
        return self.fake.first_name_male() if sex == "男" else self.fake.first_name_female()
