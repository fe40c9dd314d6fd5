"""/healthz/: every dependency reported by name; 503 when one of them is down."""

import pytest

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def eager(settings, celery_conf):
    """The embedded default: no broker, tasks run in-process (as when CELERY_BROKER_URL is
    unset; pinned here so the test means the same in a run that has a broker)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_conf.task_always_eager = True


@pytest.mark.usefixtures("eager")
def test_healthy_on_the_embedded_defaults(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "broker": "eager",
        "storage": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.usefixtures("eager")
def test_a_broken_cache_is_reported(client, settings):
    # given the cache is a Redis server that is not there
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }

    # when
    response = client.get("/healthz/")

    # then
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "cache": "error",
        "broker": "eager",
        "storage": "ok",
    }


def test_an_unreachable_broker_is_reported(client, settings, celery_conf, point_broker_at):
    # given tasks go to a broker that is not there
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_conf.task_always_eager = False
    point_broker_at(UNREACHABLE_REDIS)

    # when
    response = client.get("/healthz/")

    # then
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "broker": "error",
        "storage": "ok",
    }


@pytest.mark.redis
def test_the_real_broker_is_reported_ok(client, settings, celery_conf, point_broker_at):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_conf.task_always_eager = False
    point_broker_at(settings.CELERY_BROKER_URL)

    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_only_get_is_allowed(client):
    assert client.post("/healthz/").status_code == 405
