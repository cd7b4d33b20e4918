"""前端库文件（来自 npm）: the front-end files the pages use, found by name in node_modules.

`settings.VENDOR_FILES` lists, per URL prefix, the package directory and the files the templates
load. Only those are served and gathered by `collectstatic` — not the whole `dist` folders with
their source maps and unminified builds (about 90 MB that whitenoise would compress at every
deployment: five minutes of the two cores for files no page asks for).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    """A staticfiles finder over `settings.VENDOR_FILES` ({prefix: (directory, [relative files])})."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.files: dict[str, tuple[str, Path, str]] = {}
        self.storages: dict[str, FileSystemStorage] = {}
        for prefix, (directory, names) in settings.VENDOR_FILES.items():
            storage = FileSystemStorage(location=str(directory))
            storage.prefix = prefix
            self.storages[prefix] = storage
            for name in names:
                self.files[f"{prefix}/{name}"] = (prefix, Path(directory) / name, name)

    def check(self, **kwargs: object) -> list[Error]:
        return [
            Error(
                f"前端库文件缺失：{path}（先运行 npm ci，make setup 会自动运行）", id="fupin.E001"
            )
            for _, path, _ in self.files.values()
            if not path.exists()
        ]

    def find(self, path: str, find_all: bool = False, **kwargs: object) -> str | list[str]:
        hit = self.files.get(path.replace("\\", "/"))
        found = str(hit[1]) if hit and hit[1].exists() else None
        if found and not find_all:
            return found
        return [found] if found else []  # as Django's finders: an empty list when not found

    def list(self, ignore_patterns: list[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        for prefix, path, name in self.files.values():
            if path.exists():
                yield name, self.storages[prefix]
