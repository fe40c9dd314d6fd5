import pytest

pytestmark = pytest.mark.django_db


def test_home_page_serves_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "郑州知识产权交易运营平台" in response.content.decode()
