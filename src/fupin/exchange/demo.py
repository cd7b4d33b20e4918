"""Demo data for the exchange module (演示): an insurance enrolment extract generated from the
demo registry with the faults real extracts have, and a sample roster file for the import page.

Deterministic: the same registry and seed give the same extract on every run.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import xlsxwriter
from django.conf import settings

from fupin.insurance.models import EnrolmentRecord
from fupin.registry.choices import ACTIVE_STATUSES, Status
from fupin.registry.idnumber import check_char
from fupin.registry.models import Person

from .comparison.names import LOOKALIKE_GROUPS

SEED = 20170801
OTHER_COUNTY = "360281"  # 乐平市: where people who moved are enrolled
HOMOPHONES = {"丽": "莉", "莉": "丽", "伟": "玮", "静": "晶", "军": "君", "华": "桦", "明": "铭", "英": "瑛",
              "红": "虹",
              "芳": "方", "平": "萍", "强": "蔷", "敏": "民", "杰": "洁", "林": "琳", "刚": "钢", "燕": "艳",
              "勇": "永"}  # fmt: skip
LOOKALIKE = {g[0]: g[1] for g in LOOKALIKE_GROUPS}
TODAY = dt.date(2020, 6, 30)
# The sample files the demo writes to DATA_DIR/demo/ (示例文件), by the import kind each is for;
# the import page offers exactly these for download in demo mode.
SAMPLE_FILES = {
    "roster": "花名册示例.xlsx",
    "medical": "医疗参保数据示例.xlsx",
    "pension": "养老参保数据示例.xlsx",
}


GIVEN = {"男": ["春华", "小军", "建平", "国强"], "女": ["冬梅", "秀英", "春华", "丽娟"]}


def sample_dir() -> Path:
    return Path(settings.DATA_DIR) / "demo"


def wrong_check(idn: str) -> str:
    right = idn[17]
    return idn[:17] + next(c for c in "0123456789X" if c != right)


def swap_digits(rng: random.Random, idn: str) -> str:
    for _ in range(20):
        i = rng.randrange(6, 16)
        if idn[i] != idn[i + 1]:
            body = idn[:i] + idn[i + 1] + idn[i] + idn[i + 2 : 17]
            return body + idn[17]
    return wrong_check(idn)


def misspell(rng: random.Random, name: str) -> str:
    for i in range(len(name) - 1, 0, -1):
        if name[i] in HOMOPHONES and rng.random() < 0.7:
            return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]
        if name[i] in LOOKALIKE:
            return name[:i] + LOOKALIKE[name[i]] + name[i + 1 :]
    return name[:-1] + HOMOPHONES.get(name[-1], "丽")


def extract_rows(seed: int = SEED) -> list[dict]:
    """One row per person and insurance, with faults injected at realistic rates."""
    rng = random.Random(seed)
    rows: list[dict] = []
    people = Person.objects.order_by("id").values_list(
        "id_number",
        "name",
        "village_code",
        "status",
        "birth_date",
        "dibao",
        "tekun",
        "severe_disability",
    )
    active = {str(s) for s in ACTIVE_STATUSES}
    for idn, name, village, status, born, dibao, tekun, severe in people.iterator(chunk_size=5000):
        on_list = status in active
        age = TODAY.year - born.year
        for insurance in ("medical", "pension"):
            if insurance == "pension" and age < 16:
                continue
            roll = rng.random()
            if roll < (0.03 if insurance == "medical" else 0.06):
                continue  # not enrolled
            row = {
                "id_number": idn,
                "name": name,
                "area_code": village,
                "insurance": insurance,
                "enrolment_status": "active",
                "poverty_tag": on_list,
                "premium_subsidy": on_list or dibao or tekun or severe,
                "deceased": False,
            }
            fault = rng.random()
            if fault < 0.012:
                row["id_number"] = wrong_check(idn)
            elif fault < 0.02:
                row["id_number"] = swap_digits(rng, idn)
            elif fault < 0.03:
                row["name"] = misspell(rng, name)
            elif fault < 0.04:
                row["enrolment_status"] = rng.choice(["suspended", "terminated"])
            elif fault < 0.047:
                row["area_code"] = OTHER_COUNTY + village[6:]
            elif fault < 0.08 and on_list:
                row["poverty_tag"] = False
            elif fault < 0.10 and on_list:
                row["premium_subsidy"] = False
            elif fault < 0.103 and on_list:
                row["deceased"] = True
            if status == Status.REMOVED:
                row["deceased"] = rng.random() < 0.8
                row["poverty_tag"] = rng.random() < 0.5
            elif status == Status.EXITED:
                row["poverty_tag"] = rng.random() < 0.4
            rows.append(row)
    # Residents of the county who are not on the list; a few carry a stale poverty tag.
    villages = sorted({r["area_code"] for r in rows if r["area_code"].startswith("360222")})
    used = {r["id_number"] for r in rows}
    for _ in range(1500):
        born = TODAY - dt.timedelta(days=rng.randrange(18 * 365, 80 * 365))
        body = f"360222{born:%Y%m%d}{rng.randrange(500, 1000):03d}"
        idn = body + check_char(body)
        if idn in used:
            continue
        used.add(idn)
        rows.append(
            {
                "id_number": idn,
                "name": rng.choice("赵钱孙李周吴郑王冯陈")
                + rng.choice(["建国", "秀英", "桂兰", "志强", "海燕", "春生"]),
                "area_code": rng.choice(villages),
                "insurance": rng.choice(["medical", "pension"]),
                "enrolment_status": "active",
                "poverty_tag": rng.random() < 0.03,
                "premium_subsidy": False,
                "deceased": False,
            }
        )
    return rows


def write_xlsx(path: Path, header: list[str], rows: list[list], title: str) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Sheet1")
    sheet.write_string(0, 0, title)
    sheet.write_row(1, 0, header)
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row):
            if isinstance(v, float):
                sheet.write_number(i, j, v)
            else:
                sheet.write_string(i, j, "" if v is None else str(v))
    book.close()


def sample_roster(path: Path, seed: int = SEED) -> int:
    """Ten new households for the import page, with three faulty rows to show the preview."""
    rng = random.Random(seed)
    from fupin.areas.models import Area, Level

    villages = list(
        Area.objects.filter(level=Level.VILLAGE, code__startswith="360222")
        .order_by("code")
        .values_list("code", flat=True)
    )
    header = [
        "户编号",
        "村代码",
        "识别年度",
        "主要致贫原因",
        "贫困户属性",
        "公民身份号码",
        "姓名",
        "与户主关系",
        "健康状况",
    ]
    rows: list[list] = []
    used = set(Person.objects.values_list("id_number", flat=True))
    for h in range(10):
        village = rng.choice(villages)
        number = f"{village}9{h:03d}"
        for k, (relation, age) in enumerate(
            [
                ("户主", rng.randint(35, 70)),
                ("配偶", rng.randint(33, 68)),
                ("子女", rng.randint(3, 17)),
            ]
        ):
            born = TODAY - dt.timedelta(days=age * 365 + rng.randrange(365))
            # a couple is a man and a woman: the 17th digit's parity is the sex (odd 男, even 女)
            sex = {"户主": "男", "配偶": "女"}.get(relation) or rng.choice("男女")
            while True:
                body = f"360222{born:%Y%m%d}{rng.randrange(0, 500) * 2 + (1 if sex == '男' else 0):03d}"
                idn = body + check_char(body)
                if idn not in used and not idn.endswith("X"):  # one row is typed as a number below
                    used.add(idn)
                    break
            head = k == 0
            rows.append(
                [
                    number,
                    village if head else None,
                    2020 if head else None,
                    rng.choice(["因病", "因残", "缺技术"]) if head else None,
                    "一般贫困户" if head else None,
                    idn,
                    rng.choice("刘黄曾邱") + rng.choice(GIVEN[sex]),
                    relation,
                    "健康",
                ]
            )
    rows[4][5] = wrong_check(rows[4][5])  # 校验码错误
    rows[7][5] = float(rows[7][5])  # typed as a number: digits lost
    rows[9][1] = "360222999999"  # unknown village
    write_xlsx(path, header, rows, "浮梁县新识别贫困户花名册（演示样例）")
    return len(rows)


def build() -> str:
    """DEMO_BUILDERS hook: load the extract, write the sample files; returns a one-line summary."""
    rows = extract_rows()
    EnrolmentRecord.objects.all().delete()
    EnrolmentRecord.objects.bulk_create(
        [EnrolmentRecord(village_code=r["area_code"].ljust(12, "0"), **r) for r in rows],
        batch_size=5000,
    )
    out = sample_dir()
    out.mkdir(parents=True, exist_ok=True)
    sample_roster(out / SAMPLE_FILES["roster"])
    header = [
        "公民身份号码",
        "姓名",
        "参保地区划代码",
        "险种",
        "参保状态",
        "贫困人员标识",
        "政府代缴",
        "死亡标识",
    ]
    flag = {True: "是", False: "否"}
    for insurance, label in (("medical", "医疗"), ("pension", "养老")):
        write_xlsx(
            out / SAMPLE_FILES[insurance],
            header,
            [
                [
                    r["id_number"],
                    r["name"],
                    r["area_code"],
                    r["insurance"],
                    {"active": "正常参保", "suspended": "暂停", "terminated": "终止"}[
                        r["enrolment_status"]
                    ],
                    flag[r["poverty_tag"]],
                    flag[r["premium_subsidy"]],
                    flag[r["deceased"]],
                ]
                for r in rows
                if r["insurance"] == insurance
            ],
            f"{label}保险参保数据（演示，{TODAY:%Y-%m-%d}）",
        )
    return (
        f"参保数据：{len(rows)} 条（含注入的身份证号、姓名、参保状态、标识错误），样例文件在 {out}"
    )
