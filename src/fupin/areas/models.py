"""行政区划: the administrative-area tree, province → city → county → township → village.

Codes are the 12-digit statistical division codes: GB/T 2260 six-digit county code,
three township digits, three village digits. Shorter levels are stored with their own
length (2, 4, 6, 9, 12) so that a code's prefix is its ancestry.
"""

from django.db import models


class Level(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县"
    TOWNSHIP = 4, "乡镇"
    VILLAGE = 5, "村"


CODE_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_OF_LENGTH = {length: level for level, length in CODE_LENGTH.items()}


def village_code_range(code: str) -> tuple[str, str]:
    """The inclusive range of 12-digit village codes inside an area code of any length.

    A range on the fixed-width code uses a plain b-tree index on every database.
    """
    return code.ljust(12, "0"), code.ljust(12, "9")


class Area(models.Model):
    """行政区划 one node of the tree."""

    AREA_CODE_FIELD = "code"
    AREA_CODE_VARIABLE_LENGTH = True

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def contains(self, code: str) -> bool:
        return code.startswith(self.code)

    def ancestors(self) -> list["Area"]:
        """From the province down to (not including) this area."""
        prefixes = [self.code[:n] for n in (2, 4, 6, 9) if n < len(self.code)]
        by_code = {a.code: a for a in Area.objects.filter(code__in=prefixes)}
        return [by_code[p] for p in prefixes if p in by_code]

    @property
    def full_name(self) -> str:
        """County, township and own name; a name that repeats its parent's drops the repeat."""
        parts = [*self.ancestors()[2:], self]
        names = [parts[0].name] + [
            a.name.removeprefix(p.name) for p, a in zip(parts, parts[1:], strict=False)
        ]
        return "".join(names)
