"""The cache of parsed pack YAML: a changed file is read anew, a hit gives the same document, an
unsafe cache directory is not used, a broken cache entry falls back to parsing."""

import os
import pickle
import textwrap

import pytest
import yaml

from fupin.policy import packs
from fupin.policy.packs import BUILTIN_DIR, clear_cache, load_pack

PACK = """\
id: cache-test
inherits: fuliang-2018
effective: {{from: 2018-01-01, to: 2018-12-31}}
medical:
  inpatient:
    deductible:
      value: {{1: {d1}, 2: 500, 3: 800}}
      source: {{assumed: 测试用}}
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("FUPIN_PACK_CACHE", str(directory))
    packs_dir = tmp_path / "packs"
    packs_dir.mkdir()
    monkeypatch.setenv("FUPIN_POLICY_DIRS", str(packs_dir))
    clear_cache()
    yield directory, packs_dir
    clear_cache()


def reference(path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)


@pytest.mark.parametrize("name", sorted(p.name for p in BUILTIN_DIR.glob("*.yaml")))
def test_a_cached_document_equals_the_parsed_file(cache, name):
    path = BUILTIN_DIR / name
    first = packs._parse_yaml(path)  # parsed and stored
    assert len(list(cache[0].glob("*.pickle"))) == 1
    second = packs._parse_yaml(path)  # from the cache
    assert first == second == reference(path)
    assert second is not first


def test_an_edited_pack_is_read_anew(cache):
    _, packs_dir = cache
    path = packs_dir / "cache-test.yaml"
    path.write_text(textwrap.dedent(PACK.format(d1=300)), encoding="utf-8")
    assert load_pack("cache-test").medical.inpatient.deductible.value[1] == 30000
    stat = path.stat()
    path.write_text(textwrap.dedent(PACK.format(d1=400)), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: the key is the content
    clear_cache()
    assert load_pack("cache-test").medical.inpatient.deductible.value[1] == 40000
    assert len(list(cache[0].glob("*.pickle"))) >= 2


def test_a_world_writable_cache_is_not_used(cache):
    directory, _ = cache
    directory.mkdir(mode=0o700)
    path = BUILTIN_DIR / "fuliang-2018.yaml"
    packs._parse_yaml(path)
    (entry,) = directory.glob("*.pickle")
    entry.write_bytes(pickle.dumps({"planted": True}))
    assert packs._parse_yaml(path) == {"planted": True}  # our own 0700 directory: trusted
    directory.chmod(0o777)
    assert packs._parse_yaml(path) == reference(path)  # others could write it: ignored


def test_a_broken_entry_falls_back_to_parsing(cache):
    directory, _ = cache
    path = BUILTIN_DIR / "fuliang-2018.yaml"
    packs._parse_yaml(path)
    (entry,) = directory.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert packs._parse_yaml(path) == reference(path)


def test_the_cache_can_be_turned_off(cache, monkeypatch):
    monkeypatch.setenv("FUPIN_PACK_CACHE", "")
    packs._parse_yaml(BUILTIN_DIR / "fuliang-2018.yaml")
    assert not cache[0].exists()
