import pytest
from django.test import Client

from fupin.access.models import Role, User

HEADER = (
    "claim_id,person_id,category,visit_type,hospital_level,chronic_class,disease_code,"
    "admission_date,total_cost,in_policy_cost"
)


@pytest.fixture
def staff(db):
    return User.objects.create_user(username="yibao", password="test-pass-123", role=Role.INSURANCE)


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def claims_csv(tmp_path):
    def write(*rows: str, name: str = "claims.csv"):
        path = tmp_path / name
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        return path

    return write
