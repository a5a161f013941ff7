"""Changing objects through the admin's own change forms, as staff would, in tests."""

from django.forms import CheckboxInput, MultiWidget
from django.test import Client


def form_data(response) -> dict:
    """What an admin add or change page would post if submitted as it stands."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict = {}
    for form in forms:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            widget = field.widget
            if isinstance(widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(widget, MultiWidget):
                parts = widget.decompress(value) if not isinstance(value, list) else value
                for number, (part, subwidget) in enumerate(zip(parts, widget.widgets, strict=True)):
                    formatted = subwidget.format_value(part)
                    data[f"{bound.html_name}_{number}"] = "" if formatted is None else formatted
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            elif value is not None:
                formatted = widget.format_value(value)
                data[bound.html_name] = "" if formatted is None else formatted
    return data


def admin_change(client: Client, url: str, **changes) -> None:
    """Open an admin form at ``url``, change some fields (by HTML name), save it."""
    page = client.get(url)
    assert page.status_code == 200, url
    data = form_data(page) | changes
    response = client.post(url, data)
    errors = getattr(response, "context", None) and response.context.get("errors")
    assert response.status_code == 302, f"the admin refused the change: {errors}"
