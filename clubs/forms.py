from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import LOGO_MAX_BYTES, Club, Role
from .services import EDITABLE_FIELDS, RESERVED_SLUGS

# What Pillow must find inside a logo, whatever the file's name says.
LOGO_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}


class NoSuffix:
    """Labels as written ("Name", not "Name:"), as on the site's other forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PrivateNotOpen(forms.ModelForm):
    """A private club cannot take anyone at will: said beside the choice, not at the top."""

    def clean(self):
        data = super().clean() or {}
        if (
            data.get("visibility") == Club.Visibility.PRIVATE
            and data.get("joining") == Club.Joining.OPEN
        ):
            self.add_error(
                "joining",
                _(
                    "A private club cannot be joined by anyone at will: choose “By request” "
                    "or “By invitation only”."
                ),
            )
        return data


class ClubCreateForm(NoSuffix, PrivateNotOpen):
    """A new club: its name, address, and who reads and joins it."""

    class Meta:
        model = Club
        fields = ["name", "slug", "tagline", "visibility", "joining"]
        widgets = {"visibility": forms.RadioSelect, "joining": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].label = _("Address")
        self.fields["slug"].help_text = _(
            "Letters, digits and hyphens, for the club's address; made from the name if empty."
        )

    def clean_slug(self):
        slug = (self.cleaned_data.get("slug") or "").lower()
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("That address is reserved; please choose another."))
        return slug


class ClubSettingsForm(NoSuffix, PrivateNotOpen):
    """What a lead may change of their club."""

    class Meta:
        model = Club
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "visibility": forms.RadioSelect,
            "joining": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 6}),
            "code_of_conduct": forms.Textarea(attrs={"rows": 6}),
            "logo": forms.ClearableFileInput(
                attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}
            ),
        }

    def clean_logo(self):
        """An image Pillow can read, of an allowed kind, no bigger than LOGO_MAX_BYTES."""
        logo = self.cleaned_data.get("logo")
        if not logo or logo == self.instance.logo:  # unchanged, or cleared
            return logo
        if logo.size > LOGO_MAX_BYTES:
            raise ValidationError(
                _("The logo is too large (%(size)s): at most %(limit)s, please.")
                % {"size": filesizeformat(logo.size), "limit": filesizeformat(LOGO_MAX_BYTES)},
                code="too_large",
            )
        image = getattr(logo, "image", None)  # set by forms.ImageField once Pillow read it
        if image is None or image.format not in LOGO_FORMATS:
            raise ValidationError(
                _("The logo must be a PNG, JPEG, WebP or GIF image."), code="invalid_image"
            )
        return logo

    def clean_email_domains(self):
        """One domain per word, lower-case, without "@", each with a dot."""
        raw = self.cleaned_data.get("email_domains", "")
        domains = [
            part.strip().lstrip("@").lower() for part in raw.replace(",", " ").split() if part
        ]
        for domain in domains:
            if (
                "." not in domain
                or "@" in domain
                or not all(
                    label and all(c.isalnum() or c == "-" for c in label)
                    for label in domain.split(".")
                )
            ):
                raise ValidationError(
                    _("“%(domain)s” is not an email domain (e.g. example.edu).")
                    % {"domain": domain},
                    code="invalid_domain",
                )
        return " ".join(dict.fromkeys(domains))


class JoinRequestForm(NoSuffix, forms.Form):
    message = forms.CharField(
        label=_("Message to the club's leads"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who you are and why you would like to join (optional)."),
    )


class DecisionForm(NoSuffix, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    response = forms.CharField(
        label=_("Message to the member"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InvitationForm(NoSuffix, forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(NoSuffix, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class BanForm(NoSuffix, forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept with the ban, seen by the club's leads)"),
        required=False,
        max_length=300,
    )
