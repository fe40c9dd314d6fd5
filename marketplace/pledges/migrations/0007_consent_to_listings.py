"""A pledgee's consent is given to a listing (publication of a transfer or licence of a
pledged asset) or to a deal: `listing` is added, `deal` becomes optional, and exactly one
of the two is set."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0001_initial'),
        ('listings', '0002_listing'),
        ('pledges', '0006_drop_holder_stats'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='pledgeconsent',
            name='listing',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='pledge_consents', to='listings.listing', verbose_name='listing'),
        ),
        migrations.AlterField(
            model_name='pledgeconsent',
            name='deal',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='pledge_consents', to='deals.deal', verbose_name='deal'),
        ),
        migrations.AddConstraint(
            model_name='pledgeconsent',
            constraint=models.UniqueConstraint(condition=models.Q(('listing__isnull', False)), fields=('application', 'listing'), name='one_consent_per_listing'),
        ),
        migrations.AddConstraint(
            model_name='pledgeconsent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('deal__isnull', False), ('listing__isnull', True)), models.Q(('deal__isnull', True), ('listing__isnull', False)), _connector='OR'), name='consent_to_a_deal_or_a_listing'),
        ),
    ]
