"""The portal's demo: the demo resident logs in with the code from the file backend; requests in every
state, one overdue; an assisted home visit."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fupin.demo import builder
from fupin.portal import demo
from fupin.portal.models import Assistance, ResidentRequest


@pytest.fixture
def demo_county(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.FUPIN_SMS_BACKEND = "fupin.portal.sms.FileBackend"
    settings.FUPIN_SMS_FILE = str(tmp_path / "sms.jsonl")
    builder.build(households=150)
    return demo.build()


def test_demo_resident_logs_in_with_the_texted_code(demo_county, settings, tmp_path):
    assert demo_county.startswith("居民门户：演示居民")
    account = (tmp_path / "demo" / "居民门户演示账号.txt").read_text(encoding="utf-8")
    id_number, phone = re.search(r"身份证号 (\S+)，手机号 (\d+)", account).groups()
    c = Client()
    c.post(reverse("portal:login"), {"id_number": id_number, "phone": phone})
    line = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    sms = json.loads(line)
    assert sms["phone"] == phone
    code = re.search(r"\d{6}", sms["text"]).group()
    assert c.post(reverse("portal:login_code"), {"code": code})["Location"] == reverse(
        "portal:home"
    )
    assert "您好" in c.get(reverse("portal:home")).content.decode()
    statuses = set(ResidentRequest.objects.values_list("status", flat=True))
    assert {"open", "in_progress", "done", "refused"} <= statuses
    assert ResidentRequest.objects.filter(
        status__in=["open", "in_progress"], due_on__lt=timezone.localdate()
    ).exists()
    assert Assistance.objects.filter(mode="home").exists()
    # deterministic: building again adds nothing new
    again = demo.build()
    assert "居民申请 0 件" in again
