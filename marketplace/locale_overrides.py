"""Messages of Django and django-allauth whose Chinese translation this project gives again.

Their own catalogues put ASCII punctuation in Chinese text (the forms' label suffix ":",
allauth's "请登录."). Django prefers the catalogues of LOCALE_PATHS to those of the
installed apps, so our locale/zh_Hans translation of the same msgid wins; listing the
msgids here is what keeps `makemessages` from dropping them as obsolete. Nothing imports
this module at run time.
"""

from django.utils.translation import gettext_noop

THIRD_PARTY_MESSAGES = (
    # Django forms: the suffix after every label (django.forms.forms.BaseForm).
    gettext_noop(":"),
    # django-allauth: the sign-up page's line under the form.
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
)
