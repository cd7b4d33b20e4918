"""Bootstrap look for every Django form (表单样式), so templates stay small."""

from django import forms


class StyledForm:
    """Mixin: form-control / form-select / form-check-input classes, HTML5 date inputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            if isinstance(field, forms.DateField) and type(widget) is forms.DateInput:
                field.widget = widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
