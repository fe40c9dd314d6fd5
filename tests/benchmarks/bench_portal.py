"""Portal latency and query counts on a seeded database (not part of the test suite).

    DATABASE_URL=postgres://…/zzipx_bench python manage.py migrate
    DATABASE_URL=postgres://…/zzipx_bench python manage.py seed_demo --scale 10000
    DATABASE_URL=postgres://…/zzipx_bench python tests/benchmarks/bench_portal.py [--runs 7]

Each URL is fetched in-process with Django's test client (no network, no server), once to
warm caches and then --runs times; it prints the status, the number of queries and the
p50 / max wall time of each.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from listings.models import Listing  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    settings.DEBUG = True  # record queries
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    first = Listing.objects.published().order_by("pk").values_list("pk", flat=True).first()
    print(f"published listings: {Listing.objects.published().count()}")
    urls = [
        "/",
        "/listings/",
        "/listings/?q=电池",
        "/listings/?q=锂电池&kind=invention&sort=price_desc",
        "/listings/?industry=nev&page=50",
        f"/listings/{first}/",
        "/institutions/",
    ]
    for url in urls:
        client.get(url)
        times = []
        for _ in range(args.runs):
            reset_queries()
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{url:52s} {response.status_code} queries={len(connection.queries):3d} "
            f"p50={statistics.median(times):7.1f} ms max={max(times):7.1f} ms"
        )


if __name__ == "__main__":
    main()
