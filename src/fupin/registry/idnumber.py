"""公民身份号码: the registry's API for ID numbers (CONVENTIONS "Registry API you build on").

The functions live in the neutral `fupin.idnumber` (like `fupin.creditcode`), so the base layer
(the audit trail's masking, `fupin.bounds`, the pages' masking) reads them without importing the
registry; modules above the registry may use either name.
"""

from fupin.idnumber import (
    CHECK_CHARS,
    OLDEST_BIRTH,
    PROVINCES,
    WEIGHTS,
    IdNumber,
    IdNumberError,
    check_char,
    clean,
    mask,
    mask_in,
    mask_in_text,
    parse_id_number,
)

__all__ = [
    "CHECK_CHARS",
    "OLDEST_BIRTH",
    "PROVINCES",
    "WEIGHTS",
    "IdNumber",
    "IdNumberError",
    "check_char",
    "clean",
    "mask",
    "mask_in",
    "mask_in_text",
    "parse_id_number",
]
