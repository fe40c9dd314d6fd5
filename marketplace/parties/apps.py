from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "marketplace.parties"
    label = "parties"
    verbose_name = _("Parties")

    def ready(self) -> None:
        # django-fsm-log names its app and its model in English only ("Django FSM Log",
        # "state log", derived from the class name), and our transition log shows them: in
        # Wagtail's counts ("812 state logs") and group permissions. Name them here, through
        # our catalogue. Only the display names change: Meta's declared options, which
        # migrations read, stay as the package wrote them.
        from django_fsm_log.models import StateLog

        apps.get_app_config("django_fsm_log").verbose_name = _("Transition log")
        StateLog._meta.verbose_name = _("transition log entry")
        StateLog._meta.verbose_name_plural = _("transition log entries")
