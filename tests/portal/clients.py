"""Test clients of the resident portal: a resident logged in without the one-time code dance.

from tests.portal.clients import resident_client
c = resident_client(person)          # a django.test.Client whose session carries the resident
c.get(reverse("portal:home"))
"""

from django.test import Client

from fupin.portal.auth import HOUSEHOLD_KEY, PERSON_KEY


def resident_client(person) -> Client:
    client = Client()
    session = client.session  # created and its cookie set on the client
    session[PERSON_KEY] = person.pk
    session[HOUSEHOLD_KEY] = person.household_id
    session.save()
    return client
