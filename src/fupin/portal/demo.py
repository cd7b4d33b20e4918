"""DEMO_BUILDERS hook (居民服务门户): a demo resident who can log in, a village assistant account, residents'
requests in every state (one overdue), and two assisted-service records (station with a code, a home visit).

Deterministic: the resident is the first active person (by id) with a stored medical claim, so the demo
shows a claim's explanation; their phone is set to a fixed demo number when none is registered. The login
(ID number + phone) is written to DATA_DIR/demo/居民门户演示账号.txt and in the summary line; the codes
go to DATA_DIR/sms-outbox.jsonl (FUPIN_SMS_BACKEND is the file backend in demo mode)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from fupin.access.models import Role, User
from fupin.areas.models import Area
from fupin.demo.builder import PASSWORD
from fupin.insurance.claims.models import MedicalClaim
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from . import rules
from .models import Assistance, ResidentRequest

DEMO_PHONE = "13800000001"


def _resident() -> Person | None:
    claimed = MedicalClaim.objects.values("person_id")
    person = (
        Person.objects.filter(status__in=ACTIVE_STATUSES, pk__in=claimed).order_by("id").first()
        or Person.objects.filter(status__in=ACTIVE_STATUSES).order_by("id").first()
    )
    return person


def build() -> str:
    person = _resident()
    if person is None:
        return "居民门户：演示县没有在册人员，未生成"
    if not person.phone:
        Person.objects.filter(pk=person.pk).update(phone=DEMO_PHONE)
        person.refresh_from_db()
    village = Area.objects.get(code=person.village_code)
    helper, _ = User.objects.get_or_create(username=f"village-{village.code}")
    helper.role, helper.area = Role.VILLAGE, village
    helper.set_password(PASSWORD)
    helper.save()

    days = rules.rules().request_days.value
    today = timezone.localdate()
    same_village = (
        Person.objects.filter(village_code=person.village_code, status__in=ACTIVE_STATUSES)
        .exclude(household_id=person.household_id)
        .order_by("id")
        .first()
    )
    others = list(
        Person.objects.filter(status__in=ACTIVE_STATUSES)
        .exclude(household_id=person.household_id)
        .order_by("village_code", "id")[:5]
    )
    home, _ = Assistance.objects.get_or_create(
        note="行动不便，上门到家办理（演示）",
        defaults=dict(
            person=same_village or person,
            village_code=person.village_code,
            assistant=helper,
            mode="home",
            authorisation="code",
            ended_at=timezone.now(),
        ),
    )
    plan = [
        # (person, kind, detail, status, days ago submitted, answer, assistance)
        (person, "training", {"wished_trade": "电子商务"}, "open", 2, "", None),
        (
            person,
            "pension_tier",
            {"year": today.year + 1, "tier_fen": 30000, "government_fen": 10000, "self_fen": 20000},
            "done",
            30,
            "已登记 300 元档次，明年起按此档次缴费",
            None,
        ),  # fmt: skip
    ]
    kinds = ["job", "appraisal", "phone", "training", "job"]
    for i, p in enumerate(others):
        kind = kinds[i % len(kinds)]
        detail = {
            "job": {"wished_work": "县城附近的陶瓷厂"},
            "appraisal": {"disease": "高血压"},
            "phone": {"phone": f"1390000{1000 + i:04d}"},
            "training": {"wished_trade": "家政服务"},
        }[kind]
        status = ["open", "in_progress", "open", "refused", "done"][i % 5]
        answer = {"refused": "本期培训班已满，已登记下期", "done": "已推荐到浮梁县工业园区"}.get(
            status, ""
        )
        ago = [40, 5, 1, 12, 8][i % 5]  # the first is past its deadline
        plan.append((p, kind, detail, status, ago, answer, None))
    plan.append((home.person, "job", {"wished_work": "在家附近的公益性岗位"}, "open", 3, "", home))
    made = 0
    for p, kind, detail, status, ago, answer, assistance in plan:
        if ResidentRequest.objects.filter(person=p, kind=kind).exists():
            continue
        row = ResidentRequest.objects.create(
            person=p,
            village_code=p.village_code,
            kind=kind,
            detail=detail,
            status=status,
            due_on=today - dt.timedelta(days=ago) + dt.timedelta(days=days.get(kind, 15)),
            rule=rules.rule_name("request_days"),
            assistance=assistance,
            answer=answer,
            handled_by=helper if status != "open" else None,
            handled_at=timezone.now() if status != "open" else None,
        )
        ResidentRequest.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - dt.timedelta(days=ago)
        )
        made += 1

    login = f"身份证号 {person.id_number}，手机号 {person.phone}"
    folder = Path(settings.DATA_DIR) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "居民门户演示账号.txt").write_text(
        "居民门户 /portal/ 演示登录\n"
        f"居民：{person.name}（{village.name}）\n{login}\n"
        f"验证码：演示模式下写在 {settings.FUPIN_SMS_FILE}（每行一条短信）\n"
        f"村协理员（代办）：{helper.username} / {PASSWORD}\n",
        encoding="utf-8",
    )
    return (
        f"居民门户：演示居民 {person.name}（{login}，验证码见 {settings.FUPIN_SMS_FILE}），"
        f"村协理员 {helper.username}；居民申请 {made} 件，代办记录 1 条"
    )
