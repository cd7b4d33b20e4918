"""口令规则: length (Django's rule, its message in Chinese) and complexity, which Django leaves out."""

import string

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLength
from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", lambda c: c.isascii() and c.isupper()),
    ("小写字母", lambda c: c.isascii() and c.islower()),
    ("数字", str.isdigit),
    ("符号", lambda c: c in string.punctuation or not (c.isascii() and c.isalnum())),
)


class ComplexityValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 2):
        self.min_classes = max(1, min(min_classes, len(CLASSES)))

    def validate(self, password: str, user: object = None) -> None:
        used = sum(any(test(c) for c in password) for _, test in CLASSES)
        if used < self.min_classes:
            raise ValidationError(
                f"密码太简单：须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类（现有 {used} 类）。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class MinimumLengthValidator(DjangoMinimumLength):
    """Django's length rule; its Chinese translation lacks this message."""

    def get_error_message(self) -> str:
        return f"密码太短：至少 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"
