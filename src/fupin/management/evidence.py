"""佐证材料上传: what a file is, read from its bytes — never its name or the browser's word.

Accepted: PDF, JPEG, PNG, and Office Open XML documents (docx, xlsx) whose zip holds the parts
of such a document and inflates to a sane size. Everything else, and anything over the size
limit, is refused with a Chinese reason. The file is stored under a random name; the typed name
is kept for display only, cleaned of paths and control characters.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

KINDS = {
    "pdf": "PDF 文档",
    "jpg": "JPEG 图片",
    "png": "PNG 图片",
    "docx": "Word 文档",
    "xlsx": "Excel 表格",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_INFLATED_RATIO = 100
MAX_ZIP_ENTRIES = 2000


class EvidenceError(ValueError):
    """A refused upload, with its reason in Chinese."""


@dataclass
class Checked:
    kind: str
    name: str
    size: int
    sha256: str
    stored_name: str


def max_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise EvidenceError(f"文件包含 {len(infos)} 个部件，不像正常的 Word/Excel 文档")
            inflated = sum(i.file_size for i in infos)
            if inflated > max(len(data), 1) * MAX_INFLATED_RATIO or inflated > 20 * max_bytes():
                raise EvidenceError("文件解压后异常膨胀（疑似压缩炸弹），已拒绝")
            names = {i.filename for i in infos}
    except zipfile.BadZipFile:
        raise EvidenceError("文件已损坏：不是有效的 Word/Excel 文档") from None
    if "[Content_Types].xml" not in names:
        raise EvidenceError(
            "压缩文件不是 Word/Excel 文档；只接受 PDF、JPEG、PNG、Word（docx）、Excel（xlsx）"
        )
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    raise EvidenceError("只接受 Word（docx）和 Excel（xlsx）格式的 Office 文档")


def sniff(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    raise EvidenceError(
        "文件类型不支持：只接受 PDF、JPEG、PNG、Word（docx）、Excel（xlsx）（按文件内容判断，与文件名无关）"
    )


def clean_name(raw: str, kind: str) -> str:
    """The display name: no directories, no control or bidi characters, the real extension."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip(" .") or "佐证材料"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:80]}.{kind}"


def check(upload: UploadedFile | None) -> tuple[Checked, bytes]:
    """Read and judge an uploaded file (a Django UploadedFile)."""
    if upload is None:
        raise EvidenceError("请选择要上传的文件")
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise EvidenceError(f"文件 {upload.size / 1048576:.1f} MB，超过上限 {limit // 1048576} MB")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise EvidenceError(f"文件超过上限 {limit // 1048576} MB")
    if not data:
        raise EvidenceError("文件是空的")
    kind = sniff(data)
    return Checked(
        kind=kind,
        name=clean_name(getattr(upload, "name", ""), kind),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_name=f"{secrets.token_hex(16)}.{kind}",
    ), data
