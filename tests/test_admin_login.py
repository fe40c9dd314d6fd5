"""Both admins sign people in through allauth, where the TOTP step lives."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "next_path"),
    [
        ("/admin/", "/admin/"),
        ("/admin/login/?next=/admin/pages/", "/admin/pages/"),
        ("/django-admin/", "/django-admin/"),
        ("/django-admin/login/?next=/django-admin/parties/", "/django-admin/parties/"),
    ],
)
def test_admin_sign_in_goes_through_allauth(client, path, next_path):
    response = client.get(path, follow=True)
    final_url, _ = response.redirect_chain[-1]
    assert final_url.startswith(reverse("account_login"))
    assert response.context["redirect_field_value"] == next_path


def test_staff_reach_the_wagtail_admin_after_signing_in(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/django-admin/").status_code == 200


def test_non_staff_get_no_django_admin(client, user):
    client.force_login(user)
    assert client.get("/django-admin/", follow=True).status_code == 403
