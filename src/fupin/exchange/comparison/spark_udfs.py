"""fupin's own functions as Spark pandas UDFs (信息比对 on Spark): name similarity, ID cleaning and
DuckDB's damerau_levenshtein, so Spark scores exactly as DuckDB does. Imported only when the Spark
engine registers them (pandas is heavy). Spark reads the `pd.Series` annotations at registration to
choose the UDF kind, so pandas is imported here at run time, not under TYPE_CHECKING."""

from __future__ import annotations

import pandas as pd
from rapidfuzz.distance import DamerauLevenshtein

from fupin.registry.idnumber import clean

from . import names


def name_sim(a: pd.Series, b: pd.Series) -> pd.Series:
    return pd.Series(names.similarities(a.tolist(), b.tolist()), dtype="float64")


def id_clean(a: pd.Series) -> pd.Series:
    return pd.Series([None if v is None else clean(v) for v in a.tolist()], dtype="object")


def damerau(a: pd.Series, b: pd.Series) -> pd.Series:
    """DuckDB's damerau_levenshtein (unrestricted transpositions); NULL where either is NULL."""
    out = [
        None if x is None or y is None else DamerauLevenshtein.distance(x, y)
        for x, y in zip(a.tolist(), b.tolist(), strict=True)
    ]
    return pd.Series(out, dtype="Int64")
