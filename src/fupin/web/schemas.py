"""API input schemas derived from the page forms, so the API takes exactly what the forms take.

A route that feeds JSON into a Django form (the registry's create and PATCH) declares its body
with `form_schema(Form)`: every field of the form, optional (the form decides what is required),
strictly typed (a list where a name belongs is a 422, not the text "['张', '三']"), with the
form's length limits — which ModelForms take from the model — and the ranges of `fupin.bounds`.
"""

from __future__ import annotations

from typing import Annotated, Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from ninja import Schema
from pydantic import Field, StrictBool, StrictFloat, StrictInt, StrictStr, create_model

from fupin import bounds


def _text(field: forms.Field, model_field: models.Field | None) -> Any:
    limit = getattr(field, "max_length", None) or getattr(model_field, "max_length", None)
    return Annotated[StrictStr, Field(max_length=limit)] if limit else StrictStr


def api_type(field: forms.Field, model_field: models.Field | None = None) -> Any:
    """The JSON type of one form field."""
    if isinstance(field, bounds.DateField):
        return bounds.Date
    if isinstance(field, bounds.YearField):
        return bounds.Year
    if isinstance(field, bounds.IdField):
        return bounds.Id
    if isinstance(field, bounds.MoneyField):  # 元, as a number or text; the form checks the amount
        return StrictInt | StrictFloat | Annotated[StrictStr, Field(max_length=24)]
    if isinstance(field, forms.BooleanField):
        return StrictBool
    if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        return int
    if isinstance(field, forms.IntegerField):
        return Annotated[int, Field(ge=field.min_value, le=field.max_value)]
    if isinstance(field, forms.DateField):
        return bounds.Date
    return _text(field, model_field)


def form_schema(form_class: type[forms.BaseForm], name: str) -> type[Schema]:
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    fields = {}
    for field_name, field in form_class.base_fields.items():
        model_field = None
        if model is not None:
            try:
                model_field = model._meta.get_field(field_name)
            except FieldDoesNotExist:  # a form-only field (village, income_wage …)
                model_field = None
        description = str(field.label or "") + (f"（{field.help_text}）" if field.help_text else "")
        fields[field_name] = (
            api_type(field, model_field) | None,
            Field(None, description=description or None),
        )
    return create_model(name, __base__=Schema, **fields)
