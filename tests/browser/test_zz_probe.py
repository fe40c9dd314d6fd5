import pytest
pytestmark = pytest.mark.django_db

def test_probe(client):
    for url in ["/accounts/signup/", "/accounts/login/"]:
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN")
        html = r.content.decode()
        print("=====", url, r.status_code)
        print(html[html.find("<main"):html.find("</main>")])
    r = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    print(r.content.decode()[:3000])
