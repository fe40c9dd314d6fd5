from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "marketplace.pledges"
    label = "pledges"
    verbose_name = _("Pledge financing")

    def ready(self) -> None:
        # Listings ask which assets are pledged through this register (they sit below
        # pledges and do not import them): see listings.pledges.
        from listings.pledges import register_pledge_register

        from .for_listings import PledgeRegisterForListings

        register_pledge_register(PledgeRegisterForListings())
