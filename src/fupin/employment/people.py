"""Finding a person from a form field: the registry id or the ID number, inside the user's area."""

from fupin import bounds
from fupin.access.scope import scoped
from fupin.registry.models import Person


def find_person(user, value: str) -> Person | None:
    value = (value or "").strip().upper()
    qs = scoped(Person.objects.all(), user)
    if len(value) == 18:
        return qs.filter(id_number=value).first()
    pk = bounds.query_id(value)
    return qs.filter(pk=pk).first() if pk else None
