"""Hostile upload files: each is refused with a Chinese message saying what is wrong, and the
process reading it lives on. The reader runs in a separate Python here, so that a reader that
aborts (as calamine does when asked for 512 GB) fails the test instead of killing pytest."""

import json
import resource
import subprocess
import sys

import pytest

from fupin.exchange.models import ImportJob

from ..conftest import login
from . import hostile
from .files import csv_bytes

READ = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
django.setup()
from fupin.sheets import reader
data = open(sys.argv[1], "rb").read()
try:
    rows = reader.raw_rows(data, sys.argv[2])
    print(json.dumps({"rows": len(rows)}))
except reader.FileFault as exc:
    print(json.dumps({"fault": str(exc)}, ensure_ascii=False))
"""


def _at_most_8gb() -> None:  # whatever the reader under test does, this machine is shared
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))


def read_elsewhere(tmp_path, data: bytes, filename: str) -> dict:
    path = tmp_path / filename
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", READ, str(path), filename], capture_output=True, text=True,
                          timeout=300, preexec_fn=_at_most_8gb)  # fmt: skip
    assert done.returncode == 0, (
        f"the reading process died (code {done.returncode}): {done.stderr[-500:]}"
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("make, filename, says", [
    (hostile.dimension_bomb, "花名册.xlsx", ["工作表“Sheet1”声明的数据范围为 A1:XFD1048576",
                                          "1,048,576 行 × 16,384 列", "超过上限"]),
    (hostile.lying_dimension, "花名册.xlsx", ["工作表“Sheet1”实际的数据范围为 A1:XFD1048576", "超过上限"]),
    (hostile.zip_bomb, "花名册.xlsx", ["解压后共 600.0 MB", "压缩炸弹"]),
    (hostile.wide_csv, "花名册.csv", ["第2行有 10,000,000 列", "超过上限 1,000 列"]),
    (hostile.long_field_csv, "花名册.csv", ["第2行第3列（C列）", "200,000 个字符", "32,767"]),
    (hostile.lying_xls, "花名册.xls", ["读取时所需内存超过上限", "请把需要导入的数据复制到新表"]),
], ids=["dimension-bomb", "lying-dimension", "zip-bomb", "10-million-columns", "csv-field-over-limit",
        "lying-xls"])  # fmt: skip
def test_hostile_file_is_refused_with_its_reason(tmp_path, make, filename, says):
    result = read_elsewhere(tmp_path, make(), filename)
    assert "fault" in result, result
    for part in says:
        assert part in result["fault"]


STAFF = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
django.setup()
from fupin.access import staff
try:
    print(json.dumps({"rows": len(staff.read_staff_sheet(open(sys.argv[1], "rb").read()))}))
except staff.StaffError as exc:
    print(json.dumps({"fault": str(exc)}, ensure_ascii=False))
"""


def test_staff_list_is_read_the_same_guarded_way(tmp_path):
    """`fupin user import 人员.xlsx` reads a spreadsheet too: a bomb there is refused with its reason."""
    path = tmp_path / "人员.xlsx"
    path.write_bytes(
        hostile.xlsx(
            hostile.sheet_xml(
                [("A1", "用户名"), ("B1", "角色"), ("XFD1048576", "x")], "A1:XFD1048576"
            )
        )
    )
    done = subprocess.run([sys.executable, "-c", STAFF, str(path)], capture_output=True, text=True, timeout=300,
                          preexec_fn=_at_most_8gb)  # fmt: skip
    assert done.returncode == 0, (
        f"the reading process died (code {done.returncode}): {done.stderr[-500:]}"
    )
    assert "A1:XFD1048576" in json.loads(done.stdout)["fault"]


def test_ordinary_files_still_read(tmp_path):
    assert read_elsewhere(tmp_path, hostile.small_xls(), "a.xls") == {"rows": 2}
    data = csv_bytes([["H1", "张三"], ["H2", "李四"]], header=["户编号", "姓名"], encoding="gbk")
    assert read_elsewhere(tmp_path, data, "a.csv") == {"rows": 3}


def _upload(size: int, name: str = "花名册.csv") -> tuple[str, bytes]:
    head = "户编号,身份证号,姓名,与户主关系\n".encode()
    return name, head + b"#" * (size - len(head))


@pytest.mark.django_db
def test_page_api_and_command_share_one_upload_limit(settings, county_user, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    client = login(county_user)
    name, data = _upload(1024 * 1024 + 1)
    (tmp_path / name).write_bytes(data)
    with pytest.raises(CommandError, match=r"文件过大（1.0 MB），上限为 1 MB"):
        call_command("import", "roster", str(tmp_path / name))
    page = client.post(
        "/exchange/imports/",
        {"kind": "roster", "file": SimpleUploadedFile(name, data)},
        follow=True,
    )
    assert "文件过大（1.0 MB），上限为 1 MB" in page.content.decode()
    api = client.post(
        "/api/v1/exchange/imports", {"kind": "roster", "file": SimpleUploadedFile(name, data)}
    )
    assert api.status_code == 413
    assert api.json()["errors"]["file"] == ["文件过大（1.0 MB），上限为 1 MB"]
    assert not ImportJob.objects.exists()
    name, data = _upload(1024 * 1024)  # at the limit: accepted by both
    assert (
        client.post(
            "/api/v1/exchange/imports", {"kind": "roster", "file": SimpleUploadedFile(name, data)}
        ).status_code
        == 201
    )
    client.post("/exchange/imports/", {"kind": "roster", "file": SimpleUploadedFile(name, data)})
    assert ImportJob.objects.count() == 2
