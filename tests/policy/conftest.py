import pytest

from fupin.policy import load_pack

BUILTIN = ["jining-2016", "jining-2020", "qingcheng-2018", "jilin-2017", "fuliang-2018"]


@pytest.fixture(params=BUILTIN)
def pack(request):
    return load_pack(request.param)
