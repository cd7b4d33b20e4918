"""Claims import of the columns the engine supports beyond inpatient and chronic outpatient
(issue 10): maternity visits, the rehabilitation items' cost and a transfer continuation (吉林 003).
Figures worked by hand in tests/policy/test_document_rules.py (jilin-2017)."""

from __future__ import annotations

import pytest

from fupin.insurance.claims import imports, store
from fupin.insurance.claims.models import ClaimSplit, MedicalClaim
from fupin.insurance.claims.settle import county_policy
from fupin.registry.models import Person
from tests.conftest import TOWN_A

HEADER = (
    "结算单号,身份证号,姓名,医院名称,就诊类型,医院级别,疾病编码,入院日期,总费用,"
    "政策范围内费用,康复项目费用,转院接续"
)
PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def run_import(user, content: bytes):
    job = imports.create_import(user=user, filename="医院结算.csv", content=content)
    return imports.stage(job, user=user)


@pytest.fixture
def people(make_household):
    poor = Person.objects.get(household=make_household(TOWN_A, members=1))
    general = Person.objects.get(household=make_household(TOWN_A, members=1))
    Person.objects.filter(pk=general.pk).update(status="exited")  # 已脱贫不再享受: general
    return poor, Person.objects.get(pk=general.pk)


def split(no: str) -> tuple:
    s = ClaimSplit.objects.get(claim__claim_no=no)
    return tuple(getattr(s, p) for p in PARTS)


@pytest.fixture
def jilin(settings):
    settings.COUNTY_POLICY_PACK = "jilin-2017"


def test_transfer_rehab_and_maternity_settle_under_jilin(people, town_a_user, jilin):
    poor, general = people
    job = run_import(town_a_user, csv(
        f"T1,{poor.id_number},,一院,住院,一级,,2017-10-01,10000.00,10000.00,,否",
        f"T2,{poor.id_number},,三院,住院,三级,,2017-10-05,50000.00,50000.00,0,是",
        f"R1,{general.id_number},,一院,住院,一级,,2017-10-01,10000.00,6000.00,2000.00,",
        f"M1,{general.id_number},,二院,住院分娩,二级,,2017-11-01,5000.00,4000.00,,",
    ))  # fmt: skip
    assert job.rows_rejected == 0, [(r.row_no, r.errors) for r in job.rows.all()]
    imports.merge(job, user=town_a_user)
    # Transfer (poor): 1st (10000 − 200) × 85% = 8330, assistance 835, self 835; 2nd deductible
    # 800 − 200 = 600: (50000 − 600) × 65% = 32110; 大病 (19560 − 6000) × 60% = 8136; assistance 4877.
    assert split("T1") == (833000, 0, 83500, 0, 83500)
    assert split("T2") == (3211000, 813600, 487700, 0, 487700)
    # Rehabilitation items in scope (general): (6000 + 2000 − 200) × 85% = 6630; self 3370.
    assert split("R1") == (663000, 0, 0, 0, 337000)
    # Maternity at the inpatient ratio (general, level 2): (4000 − 400) × 75% = 2700; self 2300.
    assert split("M1") == (270000, 0, 0, 0, 230000)
    t2, r1, m1 = (MedicalClaim.objects.with_split().get(claim_no=n) for n in ("T2", "R1", "M1"))
    assert (t2.transfer, r1.rehab_fen, m1.visit_type) == (True, 200000, "maternity")
    assert m1.get_visit_type_display() == "住院分娩（含新生儿）"
    # The stored year settled again set-based (bench/claims.py's path) gives the same split.
    results, skipped = store.settle_stored(store.read_year(2017), county_policy())
    got = {r["id"]: tuple(r[p] for p in PARTS) for r in results.iter_rows(named=True)}
    assert skipped == 0 and got == {
        c.pk: split(c.claim_no) for c in MedicalClaim.objects.with_split().all()
    }


def test_maternity_refused_where_the_county_pack_does_not_admit_it(people, town_a_user):
    poor, _ = people  # the county pack is 浮梁 (fuliang-2018): no maternity rule
    job = run_import(
        town_a_user, csv(f"M1,{poor.id_number},,二院,生育,二级,,2018-11-01,5000.00,4000.00,,")
    )
    [row] = job.rows.all()
    assert row.errors and row.errors[0][0] == "就诊类型"
    assert "未规定住院分娩" in row.errors[0][1]


def test_bad_rehab_and_transfer_cells_are_named(people, town_a_user, jilin):
    poor, _ = people
    job = run_import(town_a_user, csv(
        f"X1,{poor.id_number},,一院,住院,一级,,2017-10-01,10000.00,6000.00,5000.00,否",
        f"X2,{poor.id_number},,一院,住院,一级,,2017-10-02,10000.00,6000.00,-1,否",
        f"X3,{poor.id_number},,一院,住院,一级,,2017-10-03,10000.00,6000.00,0,也许",
        f"X4,{poor.id_number},,一院,住院,一级,,2017-10-04,10000.00,6000.00,{'9' * 40},否",
    ))  # fmt: skip
    errors = {r.row_no: r.errors for r in job.rows.all()}
    # Rehabilitation cost above the cost outside the policy scope (10000 − 6000 = 4000).
    assert errors[2] and errors[2][0][0] == "康复项目费用", errors
    assert errors[3] and errors[3][0][0] == "康复项目费用", errors
    assert errors[4] == [["转院接续", "“也许”无法识别，应为：是、转院、否"]], errors
    assert errors[5] and errors[5][0][0] == "康复项目费用", errors
    with pytest.raises(imports.ImportRefused, match="4 行有误"):
        imports.merge(job, user=town_a_user)
