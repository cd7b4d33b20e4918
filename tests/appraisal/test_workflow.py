"""The appraisal procedure of 000/001 end to end, and the rules of each step (maker rules).

Dates are fixed in 2018 (the 浮梁县 pack's year); the public notice is the pack's 7 days counted
with both ends (assumed in fuliang-2018.yaml): a notice from 3月5日 runs to 3月11日, so the first
day a certificate may be issued is 3月12日.
"""

import datetime as dt

import pytest

from fupin.access.scope import OutOfScope
from fupin.appraisal import selectors, services
from fupin.appraisal.models import (
    Application,
    Certificate,
    CertificateChange,
    ChangeKind,
    Notice,
    Stage,
)
from fupin.appraisal.services import AppraisalError
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B

from . import factories as f

D = dt.date


@pytest.fixture
def family(make_household):
    return list(Person.objects.filter(household=make_household(TOWN_A, members=3)).order_by("id"))


def test_甲类_from_notice_to_certificate(county_user, family):
    person = family[0]
    village = person.village_code
    assert services.notify_village(user=county_user, village_code=village, day=D(2018, 2, 20)) == 3
    assert (
        services.notify_village(user=county_user, village_code=village, day=D(2018, 2, 21)) == 0
    )  # each person once
    assert Notice.objects.get(person=person).notified_on == D(2018, 2, 20)

    app = services.apply(
        user=county_user,
        person=person,
        chronic_class="I",
        diseases="高血压、糖尿病",
        day=D(2018, 3, 1),
        applicant="assistant",
        home_appraisal=True,
        home_reason="长期卧床",
    )
    assert app.stage == Stage.APPLIED and app.round is None and app.diseases == "高血压、糖尿病"

    app = services.appraise(
        user=county_user,
        application=app,
        approved=True,
        day=D(2018, 3, 5),
        appraiser="县医保局专家组",
        diseases=["高血压"],
    )
    # 7 days with both ends: 5, 6, 7, 8, 9, 10, 11 March.
    assert (app.stage, app.notice_start, app.notice_end) == (
        Stage.NOTICE,
        D(2018, 3, 5),
        D(2018, 3, 11),
    )
    assert app.concluded_diseases == "高血压" and app.concluded_class == "I"
    assert list(selectors.in_notice(county_user, D(2018, 3, 8))) == [app]
    assert not selectors.in_notice(county_user, D(2018, 3, 12)).exists()

    objection = services.raise_objection(
        user=county_user,
        application=app,
        objector="村民甲",
        content="其病情已好转",
        day=D(2018, 3, 8),
    )
    with pytest.raises(AppraisalError, match="公示期至 2018-03-11 结束"):
        services.certify(user=county_user, application=app, day=D(2018, 3, 11))
    with pytest.raises(AppraisalError, match="1 条公示异议未处理"):
        services.certify(user=county_user, application=app, day=D(2018, 3, 12))
    services.resolve_objection(
        user=county_user,
        objection=objection,
        upheld=False,
        resolution="经复核病情属实",
        day=D(2018, 3, 9),
    )

    hospital = f.hospital()
    cert = services.certify(
        user=county_user, application=app, day=D(2018, 3, 12), hospital=hospital
    )
    app.refresh_from_db()
    assert app.stage == Stage.CERTIFIED and app.closed_on == D(2018, 3, 12)
    assert cert.number == f"360222-2018-{app.pk:08d}"
    assert (cert.chronic_class, cert.diseases, cert.valid_from, cert.hospital) == (
        "I",
        "高血压",
        D(2018, 3, 12),
        hospital,
    )
    assert selectors.chronic_class_on(person.pk, D(2018, 3, 11)) is None
    assert selectors.chronic_class_on(person.pk, D(2018, 3, 12)) == "I"
    assert selectors.chronic_class_on(family[1].pk, D(2018, 3, 12)) is None


def test_乙类_waits_for_its_quarterly_round(county_user, family):
    person = family[0]
    app = services.apply(
        user=county_user,
        person=person,
        chronic_class="II",
        diseases=["慢性支气管炎"],
        day=D(2018, 4, 2),
    )
    assert app.stage == Stage.WAITING and app.round is None
    with pytest.raises(AppraisalError, match="尚未编入季度鉴定批次"):
        services.appraise(
            user=county_user, application=app, approved=True, day=D(2018, 4, 3), appraiser="专家组"
        )

    rnd, joined = services.plan_round(user=county_user, held_on=D(2018, 6, 20), place="县人民医院")
    assert (rnd.year, rnd.quarter, joined) == (2018, 2, 1)
    with pytest.raises(AppraisalError, match="每季度鉴定一次"):
        services.plan_round(user=county_user, held_on=D(2018, 5, 2), place="县人民医院")
    app.refresh_from_db()
    assert app.round == rnd
    with pytest.raises(AppraisalError, match="2018-06-20 鉴定，不能早于该日"):
        services.appraise(
            user=county_user, application=app, approved=True, day=D(2018, 6, 19), appraiser="专家组"
        )
    app = services.appraise(
        user=county_user, application=app, approved=True, day=D(2018, 6, 20), appraiser="专家组"
    )
    assert app.stage == Stage.NOTICE

    # An application made after a round is planned joins it at once.
    later = services.apply(
        user=county_user,
        person=family[1],
        chronic_class="II",
        diseases=["类风湿关节炎"],
        day=D(2018, 5, 1),
    )
    assert later.round == rnd


def test_a_township_cannot_plan_a_round(town_a_user):
    with pytest.raises(AppraisalError, match="由县级统一安排"):
        services.plan_round(user=town_a_user, held_on=D(2018, 6, 20), place="镇卫生院")


def test_refused_with_reason_and_objection_upheld(county_user, family):
    app = services.apply(
        user=county_user,
        person=family[0],
        chronic_class="I",
        diseases=["冠心病"],
        day=D(2018, 3, 1),
    )
    with pytest.raises(AppraisalError, match="请填写不符合原因"):
        services.appraise(
            user=county_user, application=app, approved=False, day=D(2018, 3, 2), appraiser="专家组"
        )
    app = services.appraise(
        user=county_user,
        application=app,
        approved=False,
        day=D(2018, 3, 2),
        appraiser="专家组",
        refusal_reason="病历资料不足以认定",
    )
    assert (app.stage, app.closed_on, app.approved) == (Stage.REFUSED, D(2018, 3, 2), False)

    app2 = services.apply(
        user=county_user,
        person=family[1],
        chronic_class="I",
        diseases=["冠心病"],
        day=D(2018, 3, 1),
    )
    services.appraise(
        user=county_user, application=app2, approved=True, day=D(2018, 3, 5), appraiser="专家组"
    )
    o = services.raise_objection(
        user=county_user, application=app2, objector="村民乙", content="冒名", day=D(2018, 3, 11)
    )
    with pytest.raises(AppraisalError, match="不在公示期"):
        services.raise_objection(
            user=county_user,
            application=app2,
            objector="村民乙",
            content="迟到的异议",
            day=D(2018, 3, 12),
        )
    services.resolve_objection(
        user=county_user,
        objection=o,
        upheld=True,
        resolution="核实冒名，不予发证",
        day=D(2018, 3, 13),
    )
    app2.refresh_from_db()
    assert app2.stage == Stage.OBJECTED
    with pytest.raises(AppraisalError, match="“异议成立，不予发证”，不能改为“已发证”"):
        services.certify(user=county_user, application=app2, day=D(2018, 3, 14))
    with pytest.raises(AppraisalError, match="已处理"):
        services.resolve_objection(
            user=county_user, objection=o, upheld=False, resolution="再议", day=D(2018, 3, 14)
        )
    assert not Certificate.objects.exists()


def test_illegal_transitions_are_refused_in_chinese(county_user, family):
    app = services.apply(
        user=county_user,
        person=family[0],
        chronic_class="I",
        diseases=["高血压"],
        day=D(2018, 3, 1),
    )
    with pytest.raises(AppraisalError, match="“待鉴定”，不能改为“已发证”"):
        services.certify(user=county_user, application=app, day=D(2018, 3, 20))
    with pytest.raises(AppraisalError, match="不在公示期"):
        services.raise_objection(
            user=county_user, application=app, objector="某", content="某", day=D(2018, 3, 2)
        )
    services.appraise(
        user=county_user, application=app, approved=True, day=D(2018, 3, 5), appraiser="专家组"
    )
    with pytest.raises(AppraisalError, match="“公示中”，不能改为“公示中”"):
        services.appraise(
            user=county_user, application=app, approved=True, day=D(2018, 3, 6), appraiser="专家组"
        )
    with pytest.raises(AppraisalError, match="“公示中”，不能改为“已撤回”"):
        services.withdraw(user=county_user, application=app, day=D(2018, 3, 6))
    services.certify(user=county_user, application=app, day=D(2018, 3, 12))
    with pytest.raises(AppraisalError, match="“已发证”，不能改为“已发证”"):
        services.certify(user=county_user, application=app, day=D(2018, 3, 13))


def test_one_open_application_per_person(county_user, family):
    services.apply(
        user=county_user,
        person=family[0],
        chronic_class="I",
        diseases=["高血压"],
        day=D(2018, 3, 1),
    )
    with pytest.raises(AppraisalError, match="已有未办结的鉴定申请（2018-03-01，待鉴定）"):
        services.apply(
            user=county_user,
            person=family[0],
            chronic_class="II",
            diseases=["胃炎"],
            day=D(2018, 3, 2),
        )


def test_new_disease_amends_the_certificate_and_keeps_the_history(county_user, family):
    """动态管理: a Ⅱ类 holder is found to have a Ⅰ类 disease later; from the amendment day the
    certificate is Ⅰ类 (the pack lists Ⅰ类 first: it weighs most) and the earlier days stay Ⅱ类."""
    person = family[0]
    services.plan_round(user=county_user, held_on=D(2018, 3, 20), place="县人民医院")
    app = services.apply(
        user=county_user,
        person=person,
        chronic_class="II",
        diseases=["慢性胃炎"],
        day=D(2018, 3, 1),
    )
    services.appraise(
        user=county_user, application=app, approved=True, day=D(2018, 3, 20), appraiser="专家组"
    )
    cert = services.certify(user=county_user, application=app, day=D(2018, 3, 27))
    assert cert.chronic_class == "II"

    with pytest.raises(AppraisalError, match="慢性胃炎已在医疗证"):
        services.apply(
            user=county_user,
            person=person,
            chronic_class="I",
            diseases=["慢性胃炎"],
            day=D(2018, 8, 1),
        )
    added = services.apply(
        user=county_user,
        person=person,
        chronic_class="I",
        diseases=["慢性肾衰竭"],
        day=D(2018, 8, 1),
    )
    assert added.amends == cert
    services.appraise(
        user=county_user, application=added, approved=True, day=D(2018, 8, 2), appraiser="专家组"
    )
    same = services.certify(user=county_user, application=added, day=D(2018, 8, 9))
    assert same.pk == cert.pk and Certificate.objects.count() == 1
    assert (same.chronic_class, same.diseases) == ("I", "慢性胃炎、慢性肾衰竭")
    kinds = list(
        CertificateChange.objects.filter(certificate=cert).values_list(
            "kind", "effective_on", "chronic_class"
        )
    )
    assert kinds == [
        (ChangeKind.ISSUED, D(2018, 3, 27), "II"),
        (ChangeKind.DISEASE_ADDED, D(2018, 8, 9), "I"),
    ]
    assert selectors.chronic_class_on(person.pk, D(2018, 3, 26)) is None
    assert selectors.chronic_class_on(person.pk, D(2018, 8, 8)) == "II"
    assert selectors.chronic_class_on(person.pk, D(2018, 8, 9)) == "I"


def test_designated_hospital_one_in_the_county(county_user, family):
    cert = f.certified(county_user, family[0])
    elsewhere = f.hospital("乐平市人民医院", area_code="360281000000")
    with pytest.raises(AppraisalError, match="须为本县"):
        services.choose_hospital(
            user=county_user, certificate=cert, hospital=elsewhere, day=D(2018, 3, 13)
        )
    first, second = f.hospital("浮梁县人民医院"), f.hospital("浮梁县中医院")
    services.choose_hospital(user=county_user, certificate=cert, hospital=first, day=D(2018, 3, 13))
    cert = services.choose_hospital(
        user=county_user, certificate=cert, hospital=second, day=D(2018, 4, 1)
    )
    assert cert.hospital == second and cert.hospital_chosen_on == D(2018, 4, 1)
    summaries = list(
        CertificateChange.objects.filter(kind=ChangeKind.HOSPITAL).values_list("summary", flat=True)
    )
    assert summaries == [
        "定点医院 未选定 → 浮梁县人民医院",
        "定点医院 浮梁县人民医院 → 浮梁县中医院",
    ]
    assert (
        selectors.chronic_class_on(family[0].pk, D(2018, 4, 1)) == "I"
    )  # choosing a hospital changes no class


def test_revoked_certificate_has_no_class_from_that_day(county_user, family):
    cert = f.certified(county_user, family[0])
    services.revoke(user=county_user, certificate=cert, reason="死亡", day=D(2018, 10, 1))
    assert selectors.chronic_class_on(family[0].pk, D(2018, 9, 30)) == "I"
    assert selectors.chronic_class_on(family[0].pk, D(2018, 10, 1)) is None
    # After revocation a new application makes a new certificate.
    cert2 = f.certified(
        county_user,
        family[0],
        applied_on=D(2019, 1, 2),
        appraised_on=D(2019, 1, 3),
        issued_on=D(2019, 1, 10),
    )
    assert cert2.pk != cert.pk and selectors.chronic_class_on(family[0].pk, D(2019, 1, 10)) == "I"


def test_set_based_classes_agree_with_one_by_one(county_user, family):
    f.certified(county_user, family[0])
    f.certified(county_user, family[1], chronic_class="I", issued_on=D(2018, 3, 20))
    days = [D(2018, 3, 11), D(2018, 3, 12), D(2018, 3, 19), D(2018, 3, 20), D(2025, 1, 1)]
    pairs = [(p.pk, d) for p in family for d in days]
    many = selectors.chronic_classes_for(pairs)
    assert many == {pair: code for pair in pairs if (code := selectors.chronic_class_on(*pair))}
    assert (
        len(many) == 4 + 2
    )  # person 0 from 12 March (4 days), person 1 from 20 March (2 days), person 2 never
    assert selectors.chronic_classes_on([p.pk for p in family], D(2018, 3, 15)) == {
        family[0].pk: "I"
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"chronic_class": "Z"},
            "申请类别“Z”不存在，应为 I（Ⅰ类门诊特殊慢性病）、II（Ⅱ类门诊特殊慢性病）",
        ),
        ({"chronic_class": 1}, "申请类别“1”不存在"),
        ({"diseases": []}, "请填写申报病种"),
        ({"diseases": "  、 "}, "请填写申报病种"),
        ({"diseases": [1, 2]}, "申报病种应为病种名称的列表"),
        ({"diseases": ["病" * 31]}, "每个病种最多 30 个字"),
        ({"day": "9999-12-31"}, "申请日期 9999-12-31 超出范围"),
        ({"day": "2018-02-30"}, "申请日期“2018-02-30”不存在"),
        ({"day": dt.date.today() + dt.timedelta(days=1)}, "晚于今天"),
        ({"home_appraisal": True}, "请填写上门鉴定原因"),
        ({"home_appraisal": "yes"}, "上门鉴定应为是或否"),
        ({"applicant": "cousin"}, "申请方式无效"),
    ],
)
def test_bad_applications_refused(county_user, family, kwargs, message):
    args = {"chronic_class": "I", "diseases": ["高血压"], "day": D(2018, 3, 1)} | kwargs
    with pytest.raises(AppraisalError, match=message):
        services.apply(user=county_user, person=family[0], **args)
    assert not Application.objects.exists()


def test_exited_person_cannot_apply(county_user, family):
    Person.objects.filter(pk=family[0].pk).update(status="exited")
    with pytest.raises(AppraisalError, match="不是在册扶贫对象"):
        services.apply(
            user=county_user,
            person=Person.objects.get(pk=family[0].pk),
            chronic_class="I",
            diseases=["高血压"],
            day=D(2018, 3, 1),
        )


def test_another_townships_person_is_out_of_reach(town_b_user, town_a_user, family):
    with pytest.raises(OutOfScope):
        services.apply(
            user=town_b_user,
            person=family[0],
            chronic_class="I",
            diseases=["高血压"],
            day=D(2018, 3, 1),
        )
    with pytest.raises(OutOfScope):
        services.notify_village(
            user=town_b_user, village_code=family[0].village_code, day=D(2018, 3, 1)
        )
    app = services.apply(
        user=town_a_user,
        person=family[0],
        chronic_class="I",
        diseases=["高血压"],
        day=D(2018, 3, 1),
    )
    with pytest.raises(OutOfScope):
        services.appraise(
            user=town_b_user, application=app, approved=True, day=D(2018, 3, 2), appraiser="专家组"
        )
    assert (
        not selectors.applications(town_b_user).exists()
        and selectors.applications(town_a_user).count() == 1
    )
    assert not Notice.objects.exists()


def test_read_only_roles_cannot_write(make_user, family):
    auditor = make_user("auditor-x", "auditor", TOWN_A)
    with pytest.raises(Exception, match="只读角色"):
        services.notify(user=auditor, person=family[0], day=D(2018, 3, 1))


def test_village_assistant_list_and_daily_report(county_user, make_user, family, make_household):
    assistant = make_user("cun", "village", family[0].village_code)
    services.notify_village(user=assistant, village_code=family[0].village_code, day=D(2018, 3, 1))
    f.certified(assistant, family[0])  # applied 3-01, appraised 3-05, certified 3-12
    services.apply(
        user=assistant,
        person=family[1],
        chronic_class="II",
        diseases=["胃炎"],
        day=D(2018, 3, 5),
        applicant="assistant",
        home_appraisal=True,
        home_reason="行动不便",
    )
    other = make_household(TOWN_B, members=1).members.get()
    progress = {p.pk: p.progress for p in selectors.progress(assistant)}
    assert progress == {
        family[0].pk: "certified",
        family[1].pk: "waiting",
        family[2].pk: "notified",
    }
    assert other.pk not in {
        p.pk for p in selectors.progress(county_user).filter(village_code__startswith=TOWN_A)
    }
    assert {p.pk: p.progress for p in selectors.progress(county_user)}[other.pk] == "not_notified"

    rows, total = selectors.daily_report(county_user, D(2018, 3, 5), "360222")
    # 5 March: person 0 appraised (approved, notice 5–11), person 1 applied with home appraisal.
    town_a = next(r for r in rows if r["code"] == TOWN_A)
    assert (
        town_a["applied"],
        town_a["home"],
        town_a["approved"],
        town_a["in_notice"],
        town_a["notified_total"],
    ) == (1, 1, 1, 1, 3)
    assert (total["poor"], total["certified_total"], total["applied_total"]) == (4, 0, 2)
    _, total = selectors.daily_report(county_user, D(2018, 3, 12), "360222")
    assert (total["issued"], total["certified_total"], total["in_notice"]) == (1, 1, 0)
    village_rows, _ = selectors.daily_report(assistant, D(2018, 3, 12), TOWN_A)
    assert [r["code"] for r in village_rows] == [family[0].village_code]


def test_many_persons_in_one_call(county_user, family):
    """More persons than are worth an id list (and than SQLite takes in one query, 32,766): the whole
    history is read once, and only the persons asked for are answered."""
    f.certified(county_user, family[0])
    pairs = [
        (pid, D(2018, 6, 1)) for pid in range(family[0].pk + 1_000_000, family[0].pk + 1_050_000)
    ] + [(family[0].pk, D(2018, 6, 1))]
    assert selectors.chronic_classes_for(pairs) == {(family[0].pk, D(2018, 6, 1)): "I"}
    f.certified(county_user, family[1])
    assert selectors.chronic_classes_for(pairs) == {
        (family[0].pk, D(2018, 6, 1)): "I"
    }  # family[1] was not asked for


def test_a_waiting_application_moves_to_a_later_round(county_user, family):
    """The person could not come to the second quarter's round: the clerk puts him into the third's."""
    second, _ = services.plan_round(user=county_user, held_on=D(2018, 5, 20), place="县人民医院")
    third, _ = services.plan_round(user=county_user, held_on=D(2018, 8, 20), place="县人民医院")
    app = services.apply(
        user=county_user, person=family[0], chronic_class="II", diseases=["胃炎"], day=D(2018, 4, 2)
    )
    assert app.round == second
    app = services.assign_round(user=county_user, application=app, appraisal_round=third)
    assert app.round == third
    with pytest.raises(AppraisalError, match="已在该批次"):
        services.assign_round(user=county_user, application=app, appraisal_round=third)
    with pytest.raises(AppraisalError, match="2018-08-20 鉴定，不能早于该日"):
        services.appraise(
            user=county_user, application=app, approved=True, day=D(2018, 5, 20), appraiser="专家组"
        )
    early = services.apply(
        user=county_user, person=family[1], chronic_class="II", diseases=["胃炎"], day=D(2018, 6, 1)
    )
    with pytest.raises(AppraisalError, match="早于申请日期 2018-06-01"):
        services.assign_round(user=county_user, application=early, appraisal_round=second)
    services.appraise(
        user=county_user, application=app, approved=True, day=D(2018, 8, 20), appraiser="专家组"
    )
    with pytest.raises(AppraisalError, match="只有待鉴定、待季度鉴定的申请可以编入或改换批次"):
        services.assign_round(user=county_user, application=app, appraisal_round=second)
