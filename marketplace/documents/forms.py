from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentKind
from .validators import ACCEPT_ATTRIBUTE

# Recordal evidence is uploaded through the deal's own form, which submits it for the
# staff's check; the general form does not offer it.
UPLOAD_KINDS = [c for c in DocumentKind.choices if c[0] != DocumentKind.RECORDAL_EVIDENCE]


class DocumentUploadForm(forms.Form):
    """Only shapes the request; services.document_upload checks the file itself."""

    kind = forms.ChoiceField(
        label=_("Kind of document"), choices=UPLOAD_KINDS, initial=DocumentKind.CERTIFICATE
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG or JPEG, at most 10 MB."),
        allow_empty_file=True,  # the service gives its own message for an empty file
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "document_%s")
        super().__init__(*args, **kwargs)
