"""The form of a second-factor code: six digits from the app, or a recovery code."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# What an authenticator shows (six digits) and what a recovery code is (eight base32
# characters, django-otp's StaticToken.random_token); spaces and dashes typed between groups
# are dropped, and case does not matter.
TOTP_CODE = re.compile(r"\d{6}")
RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the code shown by your authenticator app.")},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()
        if not (TOTP_CODE.fullmatch(code) or RECOVERY_CODE.fullmatch(code)):
            raise forms.ValidationError(
                _(
                    "A code is the 6 digits shown by your authenticator app, or one of your "
                    "recovery codes (8 letters and digits)."
                ),
                code="format",
            )
        return code


class AuthenticatorCodeForm(CodeForm):
    """The code that confirms a new authenticator: from the app only, not a recovery code."""

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not TOTP_CODE.fullmatch(code):
            raise forms.ValidationError(
                _("Enter the 6 digits shown by your authenticator app."), code="format"
            )
        return code
