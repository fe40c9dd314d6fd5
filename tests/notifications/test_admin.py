"""Staff read notices in the Django admin; nobody adds, changes or deletes them there."""

import pytest
from django.urls import reverse

from marketplace.notifications.models import Notice

from .conftest import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root@example.com", "pw-123-long")
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def notice(bank, bank_reviewer, committed) -> Notice:
    with committed():
        return notify([bank], url="/bank/applications/12/")


def test_staff_read_the_list_and_a_notice(admin_client, notice, bank, bank_reviewer):
    changelist = admin_client.get(reverse("admin:notifications_notice_changelist"))
    detail = admin_client.get(reverse("admin:notifications_notice_change", args=[notice.pk]))

    assert changelist.status_code == 200
    assert "pledges.submitted" in changelist.content.decode()
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "This listing is “Published”" in page
    assert bank.name in page
    assert bank_reviewer.email in page or str(bank_reviewer) in page
    assert 'name="_save"' not in page


def test_nobody_adds_changes_or_deletes_notices(admin_client, notice):
    add = admin_client.get(reverse("admin:notifications_notice_add"))
    delete = admin_client.get(reverse("admin:notifications_notice_delete", args=[notice.pk]))
    change = admin_client.post(
        reverse("admin:notifications_notice_change", args=[notice.pk]), {"event": "x.y"}
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert change.status_code == 403
    notice.refresh_from_db()
    assert notice.event == "pledges.submitted"
