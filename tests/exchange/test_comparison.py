"""信息比对: the batch CLI on crafted files (every category, CSV and Parquet, bad files), and
the job from the pages on the demo county: results, review, tag file, masking, audit."""

import json
import subprocess
import sys

import polars as pl
import pytest

from fupin.access.models import AuditAction, AuditEntry
from fupin.exchange.comparison import CATEGORIES
from fupin.exchange.comparison.names import similarity
from fupin.exchange.models import ComparisonResult, JobState, Review
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from tests.conftest import login

from .files import idn

REG_HEADER = [
    "id_number",
    "name",
    "area_code",
    "status",
    "poor",
    "dibao",
    "tekun",
    "severe_disability",
]
ENR_HEADER = [
    "id_number",
    "name",
    "area_code",
    "insurance",
    "enrolment_status",
    "poverty_tag",
    "premium_subsidy",
    "deceased",
]
V = "360222100001"
A, B, C, D, E, F, G, H = (idn(f"36022219{60 + i}0101{i:02d}1") for i in range(8))
DUP = idn("36022219700505021")
STALE = idn("36022219750606031")


def sheets_of(response) -> dict[str, list[list[str]]]:
    """An xlsx download as {sheet name: rows of cell text}, in the workbook's sheet order."""
    import io

    from python_calamine import CalamineWorkbook

    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return {
        name: [[str(c) for c in row] for row in book.get_sheet_by_name(name).to_python()]
        for name in book.sheet_names
    }


def wrong(id18: str) -> str:
    return id18[:17] + ("0" if id18[17] != "0" else "1")


REGISTRY = [
    [A, "张三", V, "poor", 1, 0, 0, 0],  # matched (both), pension tag missing
    [
        B,
        "李丽",
        V,
        "exited_policy",
        1,
        1,
        0,
        0,
    ],  # medical under a wrong check char → candidate; no pension
    [C, "王五", V, "poor", 1, 0, 0, 0],  # pension suspended; medical elsewhere
    [D, "赵六", V, "poor", 1, 0, 0, 0],  # deceased in the extract
    [E, "钱七", V, "exited", 0, 0, 0, 0],  # exited without policy but still tagged → stale
    [F, "孙八", V, "poor", 1, 0, 0, 0],  # premium not subsidised
    [wrong(G), "坏号", V, "poor", 1, 0, 0, 0],  # invalid in the registry
    [DUP, "重甲", V, "poor", 1, 0, 0, 0],  # duplicate in the registry
    [DUP, "重乙", V, "poor", 1, 0, 0, 0],
]
ENROLMENT = [
    [A, "张三", V, "pension", "active", 0, 1, 0],
    [A, "张三", V, "medical", "active", 1, 1, 0],
    [wrong(B), "李莉", V, "medical", "active", 1, 1, 0],
    [C, "王五", V, "pension", "suspended", 1, 1, 0],
    [C, "王五", "360281100001", "medical", "active", 1, 0, 0],
    [D, "赵六", V, "medical", "active", 1, 1, 1],
    [D, "赵六", V, "pension", "active", 1, 1, 0],
    [E, "钱七", V, "medical", "active", 1, 0, 0],
    [F, "孙八", V, "medical", "active", 1, 0, 0],
    [F, "孙八", V, "pension", "active", 1, 1, 0],
    [STALE, "外人", V, "medical", "active", 1, 0, 0],
    [H, "某某", V, "medical", "active", 0, 0, 0],
    [H, "某某", V, "medical", "active", 0, 0, 0],
]


def write(path, header, rows, fmt="csv"):
    df = pl.DataFrame([[str(v) for v in r] for r in rows], schema=header, orient="row")
    if fmt == "csv":
        df.write_csv(path)
    else:
        df.write_parquet(path)
    return path


def fupin(*args):
    return subprocess.run(
        [sys.executable, "-m", "fupin.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_cli_every_category(tmp_path, fmt):
    reg = write(tmp_path / f"reg.{fmt}", REG_HEADER, REGISTRY, fmt)
    enr = write(tmp_path / f"enr.{fmt}", ENR_HEADER, ENROLMENT, fmt)
    out = tmp_path / "out"
    r = fupin(
        "compare",
        "--registry",
        str(reg),
        "--enrolment",
        str(enr),
        "--out",
        str(out),
        "--as-of",
        "2020-06-30",
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary) == CATEGORIES
    assert summary == {
        "matched": 6,
        "not_enrolled_pension": 1,
        "not_enrolled_medical": 0,
        "enrolled_elsewhere": 1,
        "suspended": 1,
        "premium_not_subsidised": 1,
        "tag_missing": 1,
        "tag_stale": 2,
        "tag_stale_review": 0,
        "id_mismatch_candidate": 1,
        "invalid_id": 2,
        "duplicate_id": 4,
        "deceased": 1,
    }
    for cat in CATEGORIES:
        assert (out / f"{cat}.csv").exists()
    cand = pl.read_csv(out / "id_mismatch_candidate.csv", infer_schema=False)
    assert (
        cand["id_number"][0] == B
        and cand["enrol_id_number"][0] == wrong(B)
        and cand["insurance"][0] == "medical"
    )
    stale = set(pl.read_csv(out / "tag_stale.csv", infer_schema=False)["enrol_id_number"])
    assert stale == {E, STALE}
    assert set(pl.read_csv(out / "not_enrolled_pension.csv", infer_schema=False)["id_number"]) == {
        B
    }


def test_cli_bad_files_exit_2_naming_row_and_column(tmp_path):
    enr = write(tmp_path / "enr.csv", ENR_HEADER, ENROLMENT)
    bad = [list(r) for r in ENROLMENT]
    bad[2][3] = "unemployment"
    r = fupin(
        "compare",
        "--registry",
        str(write(tmp_path / "reg.csv", REG_HEADER, REGISTRY)),
        "--enrolment",
        str(write(tmp_path / "bad.csv", ENR_HEADER, bad)),
        "--out",
        str(tmp_path / "o"),
    )
    assert r.returncode == 2 and "第4行“insurance”列：值“unemployment”无效" in r.stderr
    reg = [list(x) for x in REGISTRY]
    reg[1][4] = "maybe"
    r = fupin(
        "compare",
        "--registry",
        str(write(tmp_path / "reg2.csv", REG_HEADER, reg)),
        "--enrolment",
        str(enr),
        "--out",
        str(tmp_path / "o"),
    )
    assert r.returncode == 2 and "第3行“poor”列" in r.stderr
    r = fupin(
        "compare",
        "--registry",
        str(write(tmp_path / "reg3.csv", REG_HEADER[:3], [x[:3] for x in REGISTRY])),
        "--enrolment",
        str(enr),
        "--out",
        str(tmp_path / "o"),
    )
    assert r.returncode == 2 and "缺少列 status" in r.stderr
    r = fupin(
        "compare",
        "--registry",
        str(tmp_path / "nope.csv"),
        "--enrolment",
        str(enr),
        "--out",
        str(tmp_path / "o"),
    )
    assert r.returncode == 2 and "文件不存在" in r.stderr
    (tmp_path / "gbk.csv").write_bytes(
        ",".join(REG_HEADER).encode()
        + "\n".join([""] + [",".join(map(str, x)) for x in REGISTRY]).encode("gbk")
    )
    r = fupin(
        "compare",
        "--registry",
        str(tmp_path / "gbk.csv"),
        "--enrolment",
        str(enr),
        "--out",
        str(tmp_path / "o"),
    )
    assert r.returncode == 2 and "无法读取" in r.stderr


def test_name_similarity_understands_homophones_and_lookalikes():
    assert similarity("张丽", "张莉") > 0.9
    assert similarity("王芳", "玉芳") > 0.9
    assert similarity("陈静", "陈晶") > 0.9
    assert similarity("张伟", "王芳") < 0.5


@pytest.fixture
def demo_county(areas):
    from fupin.demo import builder
    from fupin.exchange import demo

    builder.build(households=150)
    demo.build()
    return Person.objects.count()


@pytest.fixture
def boss(demo_county, make_user):
    from fupin.access.models import Role

    return make_user("cmp-county", Role.COUNTY, "360222", unmask=True)


@pytest.fixture
def towny(demo_county, make_user):
    return make_user("cmp-town", area="360222100")


def test_comparison_job_from_the_pages(boss, towny, settings, tmp_path):
    county_user, town_a_user = boss, towny
    settings.DATA_DIR = tmp_path
    client = login(county_user)
    r = client.post("/exchange/comparisons/")
    assert r.status_code == 302
    job = county_user.comparisonjob_set.get()
    assert job.state == JobState.DONE, job.message
    assert job.summary["matched"] > 0 and job.summary["not_enrolled_pension"] > 0
    assert job.summary["id_mismatch_candidate"] > 0 and job.summary["tag_stale"] > 0
    page = client.get(f"/exchange/comparisons/{job.pk}/").content.decode()
    assert "疑似同一人" in page and "分乡镇" in page
    listing = client.get(f"/exchange/comparisons/{job.pk}/matched/").content.decode()
    assert "********" in listing
    # Review: confirm a candidate; the decision is audited and the person counts as enrolled.
    cand = ComparisonResult.objects.filter(job=job, category="id_mismatch_candidate").first()
    r = client.post(
        f"/exchange/results/{cand.pk}/review/", {"decision": "confirmed"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and "确认为同一人" in r.content.decode()
    cand.refresh_from_db()
    assert cand.review == Review.CONFIRMED and cand.reviewed_by == county_user
    assert AuditEntry.objects.filter(action=AuditAction.DECISION, object_id=str(cand.pk)).exists()
    assert getattr(Person.objects.get(pk=cand.person_id), f"{cand.insurance}_status") == "enrolled"
    # Exact findings set the registry's enrolment status.
    matched = ComparisonResult.objects.filter(
        job=job, category="matched", insurance="medical"
    ).first()
    assert Person.objects.get(pk=matched.person_id).medical_status == "enrolled"
    # Exports mask IDs unless asked for and permitted; both are audited.
    from tests.access.test_scope_sweep import text_of

    masked = sheets_of(client.get(f"/exchange/comparisons/{job.pk}/tags.xlsx"))
    assert list(masked) == ["新增标识", "取消标识", "更正身份证号"]
    assert masked["更正身份证号"][0] == [
        "参保系统身份证号",
        "建档立卡身份证号",
        "姓名",
        "险种",
        "区划",
        "说明",
    ]
    fix = [row for row in masked["更正身份证号"][1:] if row[2] == cand.name]
    assert (
        len(fix) == 1
        and fix[0][1] == mask(cand.id_number)
        and fix[0][0] == mask(cand.enrol_id_number)
    )
    assert cand.id_number not in text_of(client.get(f"/exchange/comparisons/{job.pk}/tags.xlsx"))
    full = sheets_of(client.get(f"/exchange/comparisons/{job.pk}/tags.xlsx?unmasked=1"))
    assert [row[:3] for row in full["更正身份证号"][1:] if row[2] == cand.name] == [
        [cand.enrol_id_number, cand.id_number, cand.name]
    ]
    assert login(town_a_user).get(
        f"/exchange/comparisons/{job.pk}/tags.xlsx?unmasked=1"
    ).status_code in (403, 404)
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() >= 2
    # The API gives the same, masked.
    body = client.get(
        f"/api/v1/exchange/comparisons/{job.pk}/results?category=matched&limit=5"
    ).json()
    assert body and all("****" in x["id_number"] for x in body)
    assert (
        client.post(
            f"/api/v1/exchange/results/{cand.pk}/review",
            {"decision": "maybe"},
            content_type="application/json",
        ).status_code
        == 422
    )


def test_township_job_sees_only_its_township(towny):
    town_a_user = towny
    client = login(town_a_user)
    client.post("/exchange/comparisons/")
    job = town_a_user.comparisonjob_set.get()
    assert job.state == JobState.DONE
    assert (
        not ComparisonResult.objects.filter(job=job)
        .exclude(village_code__startswith="360222100")
        .exists()
    )


def _run_pipeline(registry: list[list], enrolment: list[list]):
    import datetime as dt

    from fupin.exchange.comparison import DuckDBEngine, Settings, run

    engine = DuckDBEngine(threads=1)
    engine.load_arrow(
        "registry",
        pl.DataFrame(
            [[str(v) for v in r] for r in registry], schema=REG_HEADER, orient="row"
        ).to_arrow(),
    )
    engine.load_arrow(
        "enrolment",
        pl.DataFrame(
            [[str(v) for v in r] for r in enrolment], schema=ENR_HEADER, orient="row"
        ).to_arrow(),
    )
    summary = run(engine, Settings.from_pack("fuliang-2018", as_of=dt.date(2020, 6, 30)))
    return engine, summary


WITH_X = next(
    idn(f"360222198001011{n:02d}")
    for n in range(100)
    if idn(f"360222198001011{n:02d}").endswith("X")
)


def test_id_checks_in_sql_name_each_fault():
    good = idn("36022219800101123")
    raw = {
        f" {good[:6]} {good[6:]}": None,  # spaces are cleaned
        good[:6] + "\u3000" + good[6:]: None,  # a full-width space too
        good[:6] + "-" + good[6:]: None,  # and dashes
        WITH_X.lower(): None,  # a lower-case x check character
        good[:17]: "身份证号位数错误：应为18位",
        good[:10] + "AB" + good[12:]: "身份证号含非法字符",
        "99" + good[2:]: "省份代码“99”不存在",
        idn("36022219801301123"): "出生日期无效",
        idn("36022220300101123"): "出生日期无效",
        wrong(good): "校验码错误，应为" + good[17],
    }
    registry = [[r, f"人{i}", V, "poor", 1, 0, 0, 0] for i, r in enumerate(raw)]
    engine, _ = _run_pipeline(registry, [[A, "张三", V, "medical", "active", 1, 1, 0]])
    faults = dict(engine.rows("SELECT row_no, fault FROM reg ORDER BY row_no"))
    got = [faults[i + 1] for i in range(len(raw))]
    assert [
        g if w is None else (g or "")[: len(w)] for g, w in zip(got, raw.values(), strict=True)
    ] == list(raw.values())
    assert engine.rows("SELECT DISTINCT id FROM reg WHERE row_no <= 3") == [(good,)]


def test_same_first_17_digits_in_the_same_village_is_a_candidate_and_listed_stale_tags_count_anywhere():
    registry = [
        [
            A,
            "郭永",
            V,
            "poor",
            1,
            0,
            0,
            0,
        ],  # the extract has the same 17 digits, another given name
        [
            B,
            "钱七",
            V,
            "exited",
            0,
            0,
            0,
            0,
        ],  # exited without policy, still tagged in another county
    ]
    enrolment = [
        [wrong(A), "郭莉", V, "medical", "active", 1, 1, 0],
        [B, "钱七", "360281100001", "medical", "active", 1, 0, 0],
    ]
    engine, summary = _run_pipeline(registry, enrolment)
    assert summary["id_mismatch_candidate"] == 1
    assert engine.rows(
        "SELECT id_number, enrol_id_number FROM results WHERE category = 'id_mismatch_candidate'"
    ) == [(A, wrong(A))]
    assert engine.rows("SELECT enrol_id_number FROM results WHERE category = 'tag_stale'") == [(B,)]


def test_vectorised_name_similarities_equal_the_scalar_ones():
    from fupin.exchange.comparison.names import similarities

    left = ["张丽", "王芳", "陈静", "张伟", "", None, " 李四 ", "郭永", "欧阳娜娜"]
    right = ["张莉", "玉芳", "陈晶", "王芳", "张三", "李四", "李四", "郭莉", "欧阳那娜"]
    assert similarities(left, right) == [similarity(a, b) for a, b in zip(left, right, strict=True)]


def test_pension_age_comes_from_the_county_pack(tmp_path, monkeypatch):
    """A county that enrols from 18 changes who counts as not enrolled — by a pack file, no code."""
    from fupin.exchange.comparison import Settings
    from fupin.policy.packs import clear_cache

    (tmp_path / "county-18.yaml").write_text(
        "id: county-18\ninherits: fuliang-2018\nname: 某县\nregion: 某县\neffective: {from: 2018-01-01}\n"
        "enrolment:\n  pension_min_age:\n    value: 18\n    source: {assumed: 测试用的县级规定}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FUPIN_POLICY_DIRS", str(tmp_path))
    clear_cache()
    try:
        assert Settings.from_pack("fuliang-2018").pension_min_age == 16
        assert Settings.from_pack("county-18").pension_min_age == 18
    finally:
        clear_cache()


def _job_with_candidates(client, user):
    client.post("/exchange/comparisons/")
    job = user.comparisonjob_set.get()
    assert job.state == JobState.DONE, job.message
    return job


def test_review_page_shows_where_masked_numbers_differ_in_chinese_with_village_names(
    boss, make_user, settings, tmp_path
):
    """Masked numbers hide the differing digit: the page marks its position and names the part
    of the number, shows 险种 and categories in Chinese and villages by name; digits stay hidden."""
    from fupin.areas.models import Area

    settings.DATA_DIR = tmp_path
    client = login(boss)
    job = _job_with_candidates(client, boss)
    cand = (
        ComparisonResult.objects.filter(job=job, category="id_mismatch_candidate")
        .exclude(id_number="")
        .first()
    )
    page = client.get(
        f"/exchange/comparisons/{job.pk}/id_mismatch_candidate/?area={cand.village_code}"
    ).content.decode()
    differing = [
        i
        for i, (a, b) in enumerate(zip(cand.id_number, cand.enrol_id_number, strict=True), start=1)
        if a != b
    ]
    assert "id-diff" in page and f"第{differing[0]}" in page
    hidden = [i for i in differing if 7 <= i <= 14]
    for i in hidden:  # the differing digits behind the mask are not printed
        assert f"{cand.id_number[i - 1]}→{cand.enrol_id_number[i - 1]}" not in page
    assert cand.id_number not in page and cand.enrol_id_number not in page
    village = Area.objects.get(code=cand.village_code).name
    assert village in page
    assert (
        ("医疗保险" in page or "养老保险" in page)
        and ">medical<" not in page
        and ">pension<" not in page
    )
    overview = client.get(f"/exchange/comparisons/{job.pk}/").content.decode()
    assert "<code>id_mismatch_candidate</code>" not in overview and "疑似同一人" in overview
    api = client.get(
        f"/api/v1/exchange/comparisons/{job.pk}/results?category=id_mismatch_candidate&area={cand.village_code}"
    ).json()
    mine = next(x for x in api if x["id"] == cand.pk)
    assert f"第{differing[0]}" in mine["id_difference"] and "****" in mine["enrol_id_number"]
    # Full numbers only with the permission, and audited.
    before = AuditEntry.objects.filter(action=AuditAction.UNMASK).count()
    full = client.get(
        f"/exchange/comparisons/{job.pk}/id_mismatch_candidate/?area={cand.village_code}&unmasked=1"
    ).content.decode()
    import re

    assert cand.id_number in re.sub(r"</?span[^>]*>", "", full)
    assert AuditEntry.objects.filter(action=AuditAction.UNMASK).count() == before + 1
    from fupin.access.models import Role

    clerk = make_user("cmp-clerk", Role.COUNTY, "360222")
    assert (
        login(clerk)
        .get(f"/exchange/comparisons/{job.pk}/id_mismatch_candidate/?unmasked=1")
        .status_code
        == 403
    )


def test_bulk_review_decides_exactly_the_filtered_pending_set_and_is_audited(
    boss, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    client = login(boss)
    job = _job_with_candidates(client, boss)
    cands = ComparisonResult.objects.filter(job=job, category="id_mismatch_candidate")
    town = cands.first().village_code[:9]
    inside = list(cands.filter(village_code__startswith=town).values_list("pk", flat=True))
    outside = list(cands.exclude(village_code__startswith=town).values_list("pk", flat=True))
    url = f"/exchange/comparisons/{job.pk}/id_mismatch_candidate/bulk-review/"
    # The count the user saw differs from what is pending now: nothing is written.
    client.post(url, {"decision": "confirmed", "area": town, "expected": len(inside) + 1})
    assert not cands.exclude(review=Review.PENDING).exists()
    page = client.get(
        f"/exchange/comparisons/{job.pk}/id_mismatch_candidate/?area={town}"
    ).content.decode()
    assert f"对当前筛选出的 <strong>{len(inside)}</strong> 条待审核记录" in page
    r = client.post(url, {"decision": "confirmed", "area": town, "expected": len(inside)})
    assert r.status_code == 302
    assert set(cands.filter(review=Review.CONFIRMED).values_list("pk", flat=True)) == set(inside)
    assert all(
        p == Review.PENDING for p in cands.filter(pk__in=outside).values_list("review", flat=True)
    )
    entry = AuditEntry.objects.filter(
        action=AuditAction.DECISION, object_type="comparisonjob"
    ).latest("id")
    assert (
        sorted(entry.changes["results"][1]) == sorted(inside)
        and f"{len(inside)} 条确认为同一人" in entry.summary
    )
    for pk in inside:
        res = ComparisonResult.objects.get(pk=pk)
        assert res.reviewed_by == boss
        assert (
            getattr(Person.objects.get(pk=res.person_id), f"{res.insurance}_status") == "enrolled"
        )


def test_uncertain_untag_waits_for_review_before_the_tag_file(boss, settings, tmp_path):
    """标识待核实 rows are not untagged until a person confirms them (one at a time or in bulk)."""
    from tests.access.test_scope_sweep import text_of

    settings.DATA_DIR = tmp_path
    client = login(boss)
    job = _job_with_candidates(client, boss)
    person = Person.objects.filter(village_code__startswith="360222").first()
    held = ComparisonResult.objects.create(
        job=job,
        category="tag_stale_review",
        insurance="medical",
        village_code=person.village_code,
        person=person,
        id_number=person.id_number,
        name=person.name,
        enrol_id_number=person.id_number[:14] + "9999",
        enrol_name="某甲",
        enrol_area_code=person.village_code,
        score=0.6,
        detail="可能是名单上的人",
        review=Review.PENDING,
    )
    tags = text_of(client.get(f"/exchange/comparisons/{job.pk}/tags.xlsx?unmasked=1"))
    assert held.enrol_id_number not in tags
    page = client.get(f"/exchange/comparisons/{job.pk}/tag_stale_review/").content.decode()
    assert "确认取消标识" in page and "保留标识" in page
    r = client.post(
        f"/exchange/results/{held.pk}/review/", {"decision": "confirmed"}, HTTP_HX_REQUEST="true"
    )
    assert "确认取消标识" in r.content.decode()
    tags = text_of(client.get(f"/exchange/comparisons/{job.pk}/tags.xlsx?unmasked=1"))
    assert held.enrol_id_number in tags
