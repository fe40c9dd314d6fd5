"""`manage.py seed_demo [--scale N]`: realistic Zhengzhou demo data on any day, safe to run again.

The demo is anchored to the day it is first loaded (`DemoDataset.anchor`) and every date in
it is relative to that day: rights filed years before, listings published in the last weeks,
applications waiting in the banks' queues for a few days, the goals' registrations up to the
day before. Each step runs through the services on its own day (`marketplace.demo.clock`), so
timestamps, audit rows and date rules hold as they would have.

The demo loads in sections, each in one transaction that also records it as loaded: a
failure leaves nothing of its section behind and the next run carries on from there. The
tables and the random streams that fill them live in `marketplace.demo.data`.
"""

import datetime
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Max
from django.test.utils import override_settings
from django.utils import timezone
from tqdm import tqdm
from wagtail.search.backends import get_search_backend

from cms.models import NewsIndexPage, NewsPage
from cms.services import news_page_create, portal_pages_ensure
from listings.expiry import derive_expiry
from listings.models import AssetKind, AssetStatus, IPAsset, Listing, ListingState
from listings.sanitize import sanitize_html
from listings.services import (
    asset_create,
    listing_create,
    listing_publish,
    listing_reject,
    listing_submit,
    listing_withdraw,
)
from listings.services import listing_derive_fields as listing_derive
from listings.services.watch import assets_expiry_watch
from listings.validators import validate_ip_number
from marketplace.dates import add_months
from marketplace.deals import services as deals
from marketplace.deals.models import OPEN_DEAL_STATES, Deal
from marketplace.demo import data
from marketplace.demo.clock import DemoClock
from marketplace.demo.context_processors import CACHE_KEY as BANNER_CACHE_KEY
from marketplace.demo.models import DemoDataset
from marketplace.notifications.models import Notice, Notification
from marketplace.notifications.services import notice_deliver, notifications_mark_all_read
from marketplace.parties.models import (
    Membership,
    Organization,
    OrganizationKind,
    User,
    VerificationState,
)
from marketplace.parties.services import (
    membership_add,
    organization_register,
    organization_reject,
    organization_verify,
    user_create,
)
from marketplace.payments.services import payment_confirm_offline
from marketplace.pledges import services as pledges
from marketplace.pledges.models import OPEN_PLEDGE_STATES, Goal, PledgeApplication, PledgedAsset
from marketplace.pledges.progress import all_goals, pledge_progress

VERIFY_NOTE = "演示数据：已核对营业执照与统一社会信用代码。"
VERIFY_LISTING_NOTE = "演示数据：已核对权利证书与权利状态。"
DAY = datetime.timedelta(days=1)

# Sections in the order they load; each later one reads what the earlier ones wrote.
SECTIONS = (
    "parties",
    "assets",
    "listings",
    "pages",
    "pledges",
    "pledge_history",
    "deals",
    "inboxes",
)
INBOX_READ_DAYS_AGO = 3  # the demo's users have read what reached them before then


class Command(BaseCommand):
    help = (
        "Load the Zhengzhou demo data (organisations, demo accounts, IP assets, listings, "
        "the portal pages and news, pledge applications, the goals' history, deals), dated "
        "relative to the day it is first loaded; running it again completes what is missing "
        "and adds nothing else. --scale N brings the benchmark assets (each with a published "
        "listing) to N."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help=(
                "Also make sure there are N benchmark assets, each with a published listing "
                "(bulk insert; numbers derived from the index). N is a total: a rerun with "
                "the same N adds nothing."
            ),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Rows per bulk insert for --scale (default 1000).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Hide the --scale progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Demo data is disabled here (settings.DEMO_DATA_ALLOWED is False): seed_demo "
                "creates accounts with a published password and must never run in production. "
                "演示数据在此环境中被禁用。"
            )
        scale: int = options["scale"]
        batch_size: int = options["batch_size"]
        if not 0 <= scale <= data.SCALE_MAX:
            raise CommandError(f"--scale must be between 0 and {data.SCALE_MAX}.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.verbosity: int = options["verbosity"]
        self.created: Counter[str] = Counter()
        self._password_hash: str | None = None
        started = time.monotonic()
        # The demo's history notifies its parties in the app as it unfolds, but the
        # e-mails of days gone by are not sent (the addresses are invented, too).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._load(scale=scale, batch_size=batch_size, progress=not options["no_progress"])
        self._summary(elapsed=time.monotonic() - started)

    def _load(self, *, scale: int, batch_size: int, progress: bool) -> None:

        dataset = self._dataset()
        self.anchor: datetime.date = dataset.anchor
        self.records_start = data.records_start(self.anchor)
        self.clock = DemoClock()
        loaders: dict[str, Callable[[], None]] = {
            "parties": self._seed_parties,
            "assets": self._seed_assets,
            "listings": self._seed_listings,
            "pages": self._seed_pages,
            "pledges": self._seed_pledges,
            "pledge_history": self._seed_pledge_history,
            "deals": self._seed_deals,
            "inboxes": self._seed_inboxes,
        }
        for name in SECTIONS:
            if name in dataset.sections:
                continue
            # All or nothing: the section's rows and the record that it is loaded commit
            # together, so a failed run leaves the section out and the next run redoes it.
            with transaction.atomic():
                try:
                    loaders[name]()
                except ValidationError as error:
                    raise CommandError(f"Demo section “{name}”: {error}") from error
                dataset.sections = [*dataset.sections, name]
                dataset.save()
        cache.set(BANNER_CACHE_KEY, True)  # the banner shows from the next page on
        if scale:
            with transaction.atomic():
                self._seed_scale(
                    count=scale,
                    batch_size=batch_size,
                    progress=progress and self.verbosity > 0,
                )
            with transaction.atomic():
                self._seed_scale_listings(batch_size=batch_size)

    def _dataset(self) -> DemoDataset:
        """The demo's record, unsaved on a fresh database: the first section saves it with
        its rows, anchored to today."""
        dataset = DemoDataset.objects.first()
        if dataset is not None:
            return dataset
        if User.objects.filter(email=data.OPERATOR_EMAIL).exists():
            raise CommandError(
                "This database holds demo data from an earlier version of seed_demo, which "
                "recorded no anchor day; start from an empty database (make clean, then make "
                "run). 此数据库中的演示数据来自旧版本，请清空数据库后重新加载。"
            )
        return DemoDataset(pk=1, anchor=timezone.localdate())

    @contextmanager
    def _on(self, day: datetime.date) -> Iterator[None]:
        """Run a step on `day` and deliver its notices on that day too (delivery would
        otherwise wait for the section's commit and stamp them with today)."""
        last = Notice.objects.aggregate(last=Max("pk"))["last"] or 0
        with self.clock.on(day):
            yield
            for notice_id in Notice.objects.filter(pk__gt=last).values_list("pk", flat=True):
                notice_deliver(notice_id=notice_id)

    def _days_ago(self, days: int) -> datetime.date:
        return self.anchor - datetime.timedelta(days=days)

    @property
    def operator(self) -> User:
        return User.objects.get(email=data.OPERATOR_EMAIL)

    def _owner(self, key: str) -> User:
        return User.objects.get(email=data.owner_email(data.ORGANIZATIONS_BY_KEY[key]))

    def _organizations(self) -> dict[str, Organization]:
        by_code = {
            organization.credit_code: organization
            for organization in Organization.objects.filter(
                credit_code__in=[spec.credit_code for spec in data.ORGANIZATIONS]
            )
        }
        return {spec.key: by_code[spec.credit_code] for spec in data.ORGANIZATIONS}

    # --- accounts and organisations ------------------------------------------------------
    def _password(self) -> str:
        """One hash of the demo password shared by every demo account.

        Hashing with the production hasher costs ~0.2 s a time; the password is published
        anyway, so a shared salt gives nothing away and keeps the seed to a few seconds.
        """
        if self._password_hash is None:
            self._password_hash = make_password(settings.DEMO_PASSWORD)
        return self._password_hash

    def _user(self, existing: dict[str, User], *, email: str, name: str, **flags: Any) -> User:
        if email in existing:
            return existing[email]
        user = user_create(email=email, password=None, name=name, **flags)
        user.password = self._password()
        user.save(update_fields=["password"])
        existing[email] = user
        self.created["users"] += 1
        return user

    def _seed_parties(self) -> None:
        """The organisations, registered by their owners and reviewed by the operator:
        the verified ones when the demo's records start, the ones still waiting for review
        in the last days, the rejected one a little before."""
        emails = [account.email for account in data.DEMO_ACCOUNTS] + [
            spec.contact_email for spec in data.ORGANIZATIONS
        ]
        users = {user.email: user for user in User.objects.filter(email__in=emails)}
        accounts = {account.email: account for account in data.DEMO_ACCOUNTS}
        operator_account = accounts[data.OPERATOR_EMAIL]
        with self._on(self.records_start):
            operator = self._user(
                users,
                email=operator_account.email,
                name=operator_account.name,
                is_staff=True,
                is_superuser=True,
            )
        existing = set(
            Organization.objects.filter(
                credit_code__in=[spec.credit_code for spec in data.ORGANIZATIONS]
            ).values_list("credit_code", flat=True)
        )
        waiting = 0
        for spec in data.ORGANIZATIONS:
            if spec.credit_code in existing:
                continue
            if spec.state == VerificationState.PENDING:
                waiting += 1
                registered = self._days_ago(2 * waiting)
            elif spec.state == VerificationState.REJECTED:
                registered = self._days_ago(12)
            else:
                registered = self.records_start
            email = data.owner_email(spec)
            account = accounts.get(email)
            with self._on(registered):
                owner = self._user(
                    users,
                    email=email,
                    name=account.name if account else f"{spec.name}联系人",
                    is_staff=bool(account and account.is_staff),
                    is_superuser=bool(account and account.is_superuser),
                )
                organization = organization_register(
                    by=owner,
                    name=spec.name,
                    name_en=spec.name_en,
                    kind=spec.kind,
                    credit_code=spec.credit_code,
                    district=spec.district,
                    address=spec.address,
                    website=spec.website,
                    description=spec.description,
                )
            self.created["organizations"] += 1
            if spec.state == VerificationState.VERIFIED:
                with self._on(registered + DAY):
                    organization_verify(organization=organization, by=operator, note=VERIFY_NOTE)
            elif spec.state == VerificationState.REJECTED:
                with self._on(registered + 2 * DAY):
                    organization_reject(organization=organization, by=operator, reason=spec.note)

        # Accounts that join an organisation someone else owns (reviewers, the appraiser).
        organizations = self._organizations()
        with self._on(self.records_start + 2 * DAY):
            for account in data.DEMO_ACCOUNTS:
                user = self._user(
                    users,
                    email=account.email,
                    name=account.name,
                    is_staff=account.is_staff,
                    is_superuser=account.is_superuser,
                )
                if account.organization is None or account.membership is None:
                    continue
                organization = organizations[account.organization]
                if not Membership.objects.filter(user=user, organization=organization).exists():
                    membership_add(
                        organization=organization, by=operator, user=user, role=account.membership
                    )
                    self.created["memberships"] += 1

    # --- the base asset set, through the service -----------------------------------------
    def _recorded_on(self, spec: data.AssetSpec) -> datetime.date:
        """The day a right was recorded on the platform: when the records start, or a week
        after it was granted (or filed, while pending) if that is later."""
        known = spec.grant_date or spec.filing_date
        if known is None:
            return self.records_start
        return min(max(self.records_start, known + 7 * DAY), self.anchor)

    def _seed_assets(self) -> None:
        specs = data.build_assets(self.anchor)
        existing = set(
            IPAsset.objects.filter(number__in={spec.number for spec in specs}).values_list(
                "kind", "number"
            )
        )
        organizations = self._organizations()
        # Staff may record an asset for any holder; asset_create validates the number,
        # the holder (a GI belongs to its association) and derives the expiry date.
        operator = self.operator
        for spec in specs:
            if (spec.kind, spec.number) in existing:
                continue
            with self._on(self._recorded_on(spec)):
                asset_create(
                    by=operator,
                    holder=organizations[spec.holder],
                    kind=spec.kind,
                    number=spec.number,
                    title=spec.title,
                    filing_date=spec.filing_date,
                    grant_date=spec.grant_date,
                    status=spec.status,
                    ipc_codes=list(spec.ipc_codes),
                    nice_classes=list(spec.nice_classes),
                    industry=spec.industry,
                    district=spec.district,
                    abstract=spec.abstract,
                    renewals=spec.renewals,
                )
            self.created["assets"] += 1
        # Rights whose term ended between their recording and the anchor: the daily job
        # marks them expired, as it would have on the platform.
        with self._on(self.anchor):
            assets_expiry_watch(today=self.anchor)

    # --- listings, through the listing services ------------------------------------------
    def _seed_listings(self) -> None:
        """The demo listings, created and submitted by a member of the holder, published
        (or rejected) by the operator over the last weeks, a few withdrawn by the holder,
        so each carries the audit trail a real one would."""
        specs = data.build_listings(self.anchor)
        organizations = self._organizations()
        existing = set(
            Listing.objects.filter(title__in=[spec.title for spec in specs]).values_list(
                "holder_id", "title"
            )
        )
        keys = {key for spec in specs for key in spec.assets}
        assets = {
            (asset.kind, asset.number): asset
            for asset in IPAsset.objects.filter(number__in={number for _, number in keys})
        }
        operator = self.operator
        by_spec = {spec.key: spec for spec in data.ORGANIZATIONS}
        owners = {
            user.email: user
            for user in User.objects.filter(
                email__in={data.owner_email(by_spec[s.holder]) for s in specs}
            )
        }
        for index, spec in enumerate(specs):
            holder = organizations[spec.holder]
            if (holder.pk, spec.title) in existing:
                continue
            owner = owners[data.owner_email(by_spec[spec.holder])]
            chosen = [assets[key] for key in spec.assets]
            recorded = max(timezone.localdate(asset.created_at) for asset in chosen)
            published = max(self._days_ago(data.listing_days_ago(index)), recorded + 2 * DAY)
            published = min(published, self.anchor)
            with self._on(published - DAY):
                listing = listing_create(
                    by=owner,
                    holder=holder,
                    assets=chosen,
                    title=spec.title,
                    title_en=spec.title_en,
                    intent=spec.intent,
                    licence_type=spec.licence_type,
                    asking_price=spec.asking_price,
                    description=spec.description,
                    valid_until=published + datetime.timedelta(days=data.LISTING_VALID_DAYS),
                )
                self.created["listings"] += 1
                if spec.state == ListingState.DRAFT:
                    continue
                listing = listing_submit(listing=listing, by=owner)
            if spec.state == ListingState.PENDING_REVIEW:
                continue
            with self._on(published):
                if spec.state == ListingState.REJECTED:
                    listing_reject(listing=listing, by=operator, reason=spec.note)
                    continue
                listing = listing_publish(listing=listing, by=operator, note=VERIFY_LISTING_NOTE)
            if spec.state == ListingState.WITHDRAWN:
                with self._on(min(published + 9 * DAY, self.anchor)):
                    listing_withdraw(listing=listing, by=owner, note=spec.note)

    # --- the portal's pages and news -----------------------------------------------------
    def _seed_pages(self) -> None:
        operator = self.operator
        before = NewsIndexPage.objects.count()
        with self._on(self.records_start):
            pages = portal_pages_ensure(by=operator)
        index = pages["news"]
        assert isinstance(index, NewsIndexPage)
        self.created["pages"] += NewsIndexPage.objects.count() - before
        slugs = set(NewsPage.objects.child_of(index).values_list("slug", flat=True))
        for spec in data.build_news(self.anchor):
            if spec.slug in slugs:
                continue
            with self._on(max(spec.date, self.records_start)):
                news_page_create(
                    index=index,
                    by=operator,
                    slug=spec.slug,
                    title=spec.title,
                    title_en=spec.title_en,
                    date=spec.date,
                    intro=spec.intro,
                    intro_en=spec.intro_en,
                    body=spec.body,
                    body_en=spec.body_en,
                    source=spec.source,
                    source_url=spec.source_url,
                )
            self.created["news"] += 1

    # --- pledge applications in the banks' queues ----------------------------------------
    def _reviewers(self) -> dict[str, User]:
        return {
            account.organization: User.objects.get(email=account.email)
            for account in data.DEMO_ACCOUNTS
            if account.role == "bank_reviewer" and account.organization
        }

    def _free_assets(
        self,
        holder: Organization,
        *,
        count: int,
        term_months: int,
        granted_by: datetime.date,
        exclude: set[int],
    ) -> list[IPAsset]:
        """`count` of the holder's assets that are valid and granted by `granted_by`, in no
        open listing or application and not in `exclude`, and outlive a loan taken now by a
        year, in a stable order."""
        horizon = self.anchor + datetime.timedelta(days=31 * term_months + 365)
        candidates = (
            IPAsset.objects.filter(
                holder=holder,
                status=AssetStatus.VALID,
                grant_date__lte=granted_by,
                expiry_date__gt=horizon,
            )
            .exclude(pk__in=exclude)
            .exclude(listings__state__in=[ListingState.PENDING_REVIEW, ListingState.PUBLISHED])
            .exclude(pledges__application__state__in=OPEN_PLEDGE_STATES)
            .order_by("number")
        )
        return list(candidates[:count])

    def _seed_pledges(self) -> None:
        """Applications at the banks in every stage of review and of the loan, each moved
        through the services by the holder's owner and the bank's demo reviewer on the day
        its schedule gives (data.pledge_schedule)."""
        existing = set(PledgeApplication.objects.values_list("applicant_id", "purpose"))
        organizations = self._organizations()
        reviewers = self._reviewers()
        used: set[int] = set()  # one demo application per asset, whatever its end
        for spec in data.PLEDGE_SPECS:
            holder = organizations[spec.holder]
            if (holder.pk, spec.purpose) in existing:
                continue
            owner = self._owner(spec.holder)
            reviewer = reviewers[spec.bank]
            schedule = data.pledge_schedule(spec, anchor=self.anchor)
            created = schedule[0][1] if schedule else self._days_ago(spec.days_ago)
            assets = self._free_assets(
                holder,
                count=spec.assets,
                term_months=spec.term_months,
                granted_by=created - 30 * DAY,
                exclude=used,
            )
            if len(assets) < spec.assets:
                raise CommandError(f"Demo pledge of {spec.holder}: not enough free assets.")
            used.update(asset.pk for asset in assets)
            with self._on(created):
                app = pledges.pledge_application_create(
                    by=owner,
                    applicant=holder,
                    bank=organizations[spec.bank],
                    assets=assets,
                    requested_amount=spec.amount,
                    term_months=spec.term_months,
                    purpose=spec.purpose,
                )
            self.created["pledge applications"] += 1
            for name, day in schedule:
                with self._on(day):
                    app = self._pledge_step(
                        name,
                        app,
                        owner=owner,
                        reviewer=reviewer,
                        day=day,
                        amount=spec.amount,
                        term_months=spec.term_months,
                    )

    @staticmethod
    def _pledge_step(
        name: str,
        app: PledgeApplication,
        *,
        owner: User,
        reviewer: User,
        day: datetime.date,
        amount: Decimal,
        term_months: int,
        annual_rate: Decimal = Decimal("3.65"),
    ) -> PledgeApplication:
        """One step of a demo application's path, by the party whose step it is, on `day`."""
        notes = data.PLEDGE_NOTES
        if name == "submit":
            return pledges.pledge_submit(application=app, by=owner)
        if name == "resubmit":
            return pledges.pledge_resubmit(application=app, by=owner)
        if name == "withdraw":
            return pledges.pledge_withdraw(application=app, by=owner, note=notes["withdraw"])
        if name == "claim":
            return pledges.pledge_claim(application=app, by=reviewer)
        if name == "return_for_info":
            return pledges.pledge_return_for_info(
                application=app, by=reviewer, note=notes["return_for_info"]
            )
        if name == "reject":
            return pledges.pledge_reject(application=app, by=reviewer, reason=notes["reject"])
        if name == "approve":
            return pledges.pledge_approve(
                application=app,
                by=reviewer,
                amount=amount,
                annual_rate=annual_rate,
                term_months=term_months,
                note=notes["approve"],
            )
        if name == "cancel":
            return pledges.pledge_cancel(application=app, by=reviewer, reason=notes["cancel"])
        if name == "sign_contract":
            return pledges.pledge_sign_contract(
                application=app,
                by=reviewer,
                contract_number=f"ZY-{day:%Y%m%d}-{app.pk:04d}",
                contract_date=day,
            )
        if name == "register":
            return pledges.pledge_register(
                application=app,
                by=reviewer,
                registration_number=f"ZX{day:%Y}41{app.pk:06d}",
                registration_date=day,
                secured_amount=amount,
            )
        if name == "disburse":
            return pledges.pledge_disburse(
                application=app, by=reviewer, disbursed_on=day, amount=amount
            )
        if name == "repay":
            return pledges.pledge_repay(application=app, by=reviewer, repaid_on=day)
        if name == "release":
            return pledges.pledge_release(application=app, by=reviewer, released_on=day)
        if name == "mark_overdue":
            pledges.pledges_mark_overdue(today=day)  # the daily job, on that day
            app.refresh_from_db()
            return app
        if name == "declare_default":
            return pledges.pledge_declare_default(
                application=app, by=reviewer, note=notes["declare_default"]
            )
        if name == "dispose":
            return pledges.pledge_dispose(
                application=app, by=reviewer, disposed_on=day, note=notes["dispose"]
            )
        raise CommandError(f"Unknown demo pledge step {name!r}.")

    # --- registered pledges toward the goals ---------------------------------------------
    def _seed_pledge_history(self) -> None:
        """The goals of the series around the anchor (data.goal_periods) and their
        registered pledges: the earlier goal's whole period (its final result), the current
        goal's up to the day before the anchor (partial progress, so a pledge registered
        today moves its bar). Each pledge goes through the services on its own days, so it
        counts in the ledger as a real one does. A fixed random stream per period makes them
        the same on every machine for the same anchor."""
        organizations = self._organizations()
        # The queue's applications keep their assets to themselves; so do the demo
        # accounts' organisations for pledges still running.
        self._queue_assets = set(PledgedAsset.objects.values_list("asset_id", flat=True))
        self._demo_account_orgs = {
            organizations[account.organization].pk
            for account in data.DEMO_ACCOUNTS
            if account.organization
        }
        periods = data.goal_periods(self.anchor)
        for start, end in periods:
            if not Goal.objects.filter(start=start, end=end).exists():
                spec = data.demo_goal(start)
                with self._on(min(start, self.anchor)):
                    Goal.objects.create(
                        name=spec.name,
                        name_en=spec.name_en,
                        target=spec.target,
                        start=spec.start,
                        end=spec.end,
                    )
                self.created["goals"] += 1
        busy: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
        for start, end in periods:
            last = min(end, self.anchor - DAY)
            if last < start:
                continue  # the anchor is the period's first day: nothing registered yet
            if last == end:
                count = data.PLEDGE_HISTORY_COUNT
            else:
                months = (last.year - start.year) * 12 + last.month - start.month + 1
                count = max(1, int(data.PLEDGES_A_MONTH * months))
            self._seed_registrations(
                organizations,
                rng=random.Random(f"{data.PLEDGE_HISTORY_SEED}:{start:%Y}"),
                start=start,
                end=last,
                count=count,
                busy=busy,
            )

    def _history_asset(
        self,
        holders: list[Organization],
        *,
        applied: datetime.date,
        released: datetime.date | None,
        term_months: int,
        busy: dict[int, list[tuple[datetime.date, datetime.date]]],
    ) -> IPAsset | None:
        """A right of one of `holders` (tried in order) that was granted a month before
        `applied`, is in no demo queue application and is free from `applied` until
        `released` (None: still pledged at the anchor, so also in no open listing and not
        a demo account's, whose workspaces stay as the README describes)."""
        until = released or datetime.date.max
        for holder in holders:
            if released is None and holder.pk in self._demo_account_orgs:
                continue
            candidates = (
                IPAsset.objects.filter(
                    holder=holder,
                    status=AssetStatus.VALID,
                    grant_date__lte=applied - 30 * DAY,
                    expiry_date__gt=self.anchor + datetime.timedelta(days=31 * term_months + 365),
                )
                .exclude(pk__in=self._queue_assets)
                .order_by("number")
            )
            if released is None:
                candidates = candidates.exclude(
                    listings__state__in=[ListingState.PENDING_REVIEW, ListingState.PUBLISHED]
                )
            for asset in candidates:
                if all(until < begin or applied > end for begin, end in busy[asset.pk]):
                    busy[asset.pk].append((applied, until))
                    return asset
        return None

    def _seed_registrations(
        self,
        organizations: dict[str, Organization],
        *,
        rng: random.Random,
        start: datetime.date,
        end: datetime.date,
        count: int,
        busy: dict[int, list[tuple[datetime.date, datetime.date]]],
    ) -> None:
        """`count` registered pledges dated from `start` to `end` (later months busier, as
        a programme gathers pace): applied for three weeks before, disbursed two days after,
        repaid on maturity and released five days later when that is before the anchor."""
        reviewers = self._reviewers()
        holders = [
            organizations[spec.key]
            for spec in data.ORGANIZATIONS
            if spec.kind in (OrganizationKind.ENTERPRISE, OrganizationKind.UNIVERSITY)
            and spec.state == VerificationState.VERIFIED
        ]
        owners = {organizations[key].pk: self._owner(key) for key in organizations}
        days = (end - start).days
        dates = sorted(
            start + datetime.timedelta(days=int(days * rng.random() ** 0.8)) for _ in range(count)
        )
        for number, day in enumerate(dates, start=1):
            term = rng.choice((12, 12, 24, 36))
            amount = Decimal(rng.randrange(150, 2800) * 10_000)
            bank_key = data.PLEDGE_HISTORY_BANKS[number % len(data.PLEDGE_HISTORY_BANKS)]
            rate = Decimal(rng.choice(("3.45", "3.65", "3.85", "4.10")))
            purpose = rng.choice(data.PLEDGE_HISTORY_PURPOSES)
            rng.shuffle(holders)
            applied = day - 21 * DAY
            maturity = add_months(day + 2 * DAY, term)
            released = maturity + 5 * DAY if maturity + 5 * DAY < self.anchor else None
            asset = self._history_asset(
                holders, applied=applied, released=released, term_months=term, busy=busy
            )
            if asset is None:
                raise CommandError(f"Demo pledge history on {day}: no free asset left.")
            owner = owners[asset.holder_id]
            reviewer = reviewers[bank_key]
            with self._on(applied):
                app = pledges.pledge_application_create(
                    by=owner,
                    applicant=asset.holder,
                    bank=organizations[bank_key],
                    assets=[asset],
                    requested_amount=amount,
                    term_months=term,
                    purpose=purpose,
                )
            steps = [
                ("submit", applied),
                ("claim", applied + 2 * DAY),
                ("approve", day - 10 * DAY),
                ("sign_contract", day - 5 * DAY),
                ("register", day),
                ("disburse", day + 2 * DAY),
            ]
            if released is not None:
                steps += [("repay", maturity), ("release", released)]
            for name, step_day in steps:
                if step_day >= self.anchor:
                    break  # registered yesterday, disbursed tomorrow: not yet
                with self._on(step_day):
                    app = self._pledge_step(
                        name,
                        app,
                        owner=owner,
                        reviewer=reviewer,
                        day=step_day,
                        amount=amount,
                        term_months=term,
                        annual_rate=rate,
                    )
            self.created["registered pledges"] += 1

    # --- deals ---------------------------------------------------------------------------
    def _seed_deals(self) -> None:
        """Offers on published listings in every stage of a deal, each step on its day."""
        organizations = self._organizations()
        operator = self.operator
        for spec in data.DEAL_SPECS:
            buyer, seller = organizations[spec.buyer], organizations[spec.seller]
            if Deal.objects.filter(buyer=buyer, seller=seller, message=spec.message).exists():
                continue
            listing = (
                Listing.objects.filter(
                    holder=seller, state=ListingState.PUBLISHED, intent=spec.intent
                )
                .exclude(deals__state__in=OPEN_DEAL_STATES)
                .exclude(assets__pledges__active=True)
                .order_by("published_at", "pk")
                .first()
            )
            if listing is None or listing.published_at is None:
                raise CommandError(f"Demo deal: {spec.seller} has no free {spec.intent} listing.")
            # The offer follows the listing's publication.
            published = timezone.localdate(listing.published_at)
            offered = min(max(self._days_ago(spec.days_ago), published + DAY), self.anchor)
            buyer_user, seller_user = self._owner(spec.buyer), self._owner(spec.seller)
            price = ((listing.asking_price or Decimal("800000")) * spec.price_share).quantize(
                Decimal("0.01")
            )
            terms: dict[str, Any] = {}
            if spec.intent == "licence":
                expiry = min(
                    (a.expiry_date for a in listing.assets.all() if a.expiry_date),
                    default=add_days(offered, 5 * 365),
                )
                terms = {
                    "territory": "河南省",
                    "licence_start": offered + 30 * DAY,
                    "licence_end": min(expiry, add_days(offered, 3 * 365)),
                    "royalty": "入门费 + 年销售额 3%",
                }
            with self._on(offered):
                deal = deals.deal_propose(
                    by=buyer_user,
                    buyer=buyer,
                    listing=listing,
                    price=price,
                    message=spec.message,
                    **terms,
                )
            self.created["deals"] += 1
            for index, name in enumerate(data.DEAL_PATHS[spec.state], start=1):
                day = min(offered + index * data.DEAL_STEP_DAYS * DAY, self.anchor)
                with self._on(day):
                    deal = self._deal_step(
                        name, deal, buyer=buyer_user, seller=seller_user, operator=operator, day=day
                    )

    @staticmethod
    def _deal_step(
        name: str, deal: Deal, *, buyer: User, seller: User, operator: User, day: datetime.date
    ) -> Deal:
        """One step of a demo deal, by the party whose step it is, on `day`: the parties'
        steps in their workspace, the operator's in the admin (money confirmed in and out of
        escrow, the recordal evidence checked, which completes the deal)."""
        if name == "accept":
            return deals.deal_accept(deal=deal, by=seller)
        if name == "decline":
            return deals.deal_decline(deal=deal, by=seller, reason=data.DEAL_NOTES["decline"])
        if name == "withdraw":
            return deals.deal_withdraw(deal=deal, by=buyer)
        if name in ("confirm_deposit", "confirm_balance", "confirm_payout"):
            purpose = name.removeprefix("confirm_")
            payment_confirm_offline(
                payment=deal.payments.get(purpose=purpose, state="pending"),
                by=operator,
                note=data.DEAL_NOTES["deposit"] if purpose != "payout" else "演示数据：已汇出。",
            )
            deal.refresh_from_db()
            return deal
        if name == "sign":
            deals.deal_sign(deal=deal, by=seller)
            return deals.deal_sign(deal=deal, by=buyer)
        if name == "file_recordal":
            return deals.deal_file_recordal(
                deal=deal,
                by=seller,
                recordal_number=f"ZLBG{day:%Y%m%d}{deal.pk:04d}",
                recordal_date=day,
            )
        if name == "submit_evidence":
            import io
            import re

            from django.core.files.uploadedfile import SimpleUploadedFile
            from django.utils import translation
            from reportlab.lib.pagesizes import A4
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.cidfonts import UnicodeCIDFont
            from reportlab.pdfgen import canvas

            from marketplace.deals.recordal import recordal_terms

            # A sample of the authority's document, marked as demo data on its face.
            kinds = deal.listing.assets.values_list("kind", flat=True)
            with translation.override("zh-hans"):
                evidence = [
                    str(t.evidence) for t in recordal_terms(deal_kind=deal.kind, asset_kinds=kinds)
                ]
            titles = [m.group(1) for e in evidence for m in [re.search("《(.+?)》", e)] if m]
            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
            buffer = io.BytesIO()
            page = canvas.Canvas(buffer, pagesize=A4)
            page.setFont("STSong-Light", 20)
            page.drawString(72, 760, "演示数据 · 样例文件")
            page.setFont("STSong-Light", 12)
            lines = [
                *evidence,
                f"交易：{deal.listing.title}",
                *(f"{a.get_kind_display()} {a.number}" for a in deal.listing.assets.all()),
                f"受理号：{deal.recordal_number}  日期：{day:%Y-%m-%d}",
                "本文件由演示数据生成，并非主管机关出具的真实文件。",
            ]
            for index, line in enumerate(lines):
                page.drawString(72, 720 - 22 * index, line[:48])
            page.showPage()
            page.save()
            upload = SimpleUploadedFile(
                f"{titles[0] if titles else '登记备案证明'}（演示）.pdf",
                buffer.getvalue(),
                content_type="application/pdf",
            )
            deals.recordal_evidence_submit(deal=deal, by=seller, uploaded_file=upload)
            deal.refresh_from_db()
            return deal
        if name == "accept_evidence":
            deals.recordal_evidence_accept(
                evidence=deal.recordal_evidence.get(state="submitted"),
                by=operator,
                note="演示数据：与主管机关公告一致。",
            )
            deal.refresh_from_db()
            return deal
        if name == "cancel":
            return deals.deal_cancel(deal=deal, by=buyer, reason=data.DEAL_NOTES["cancel"])
        raise CommandError(f"Unknown demo deal step {name!r}.")

    # --- inboxes ---------------------------------------------------------------------------
    def _seed_inboxes(self) -> None:
        """Users have read their notifications up to a few days ago; what came since (the
        queue's latest steps, the newest offers) is unread, as it would be."""
        recipients = User.objects.filter(
            pk__in=Notification.objects.filter(read_at__isnull=True).values("recipient_id")
        )
        with self._on(self._days_ago(INBOX_READ_DAYS_AGO)):
            for user in recipients:
                notifications_mark_all_read(by=user)

    # --- benchmark assets ----------------------------------------------------------------
    def _seed_scale(self, *, count: int, batch_size: int, progress: bool) -> None:
        organizations = self._organizations()
        holders = [
            organizations[spec.key]
            for spec in data.ORGANIZATIONS
            if spec.kind in data.HOLDER_KINDS and spec.state == VerificationState.VERIFIED
        ]
        today = timezone.localdate()
        with tqdm(total=count, unit="asset", desc="seed_demo --scale", disable=not progress) as bar:
            for start in range(0, count, batch_size):
                indexes = range(start, min(start + batch_size, count))
                specs = [data.scale_asset_spec(index, anchor=self.anchor) for index in indexes]
                existing = set(
                    IPAsset.objects.filter(number__in=[spec.number for spec in specs]).values_list(
                        "kind", "number"
                    )
                )
                rows = []
                for index, spec in zip(indexes, specs, strict=True):
                    if (spec.kind, spec.number) in existing:
                        continue
                    holder = holders[index % len(holders)]
                    rows.append(self._scale_row(spec, holder=holder, today=today))
                # bulk_create skips asset_create (and so its validation and expiry
                # derivation): the number is normalised and the expiry derived here with
                # the same functions, and the status follows the same expiry rule.
                IPAsset.objects.bulk_create(rows, batch_size=batch_size)
                self.created["scale_assets"] += len(rows)
                bar.update(len(specs))

    @staticmethod
    def _scale_row(spec: data.AssetSpec, *, holder: Organization, today: datetime.date) -> IPAsset:
        expiry = derive_expiry(
            kind=spec.kind, filing_date=spec.filing_date, grant_date=spec.grant_date
        )
        status = spec.status
        if status == AssetStatus.VALID and expiry is not None and expiry < today:
            status = AssetStatus.EXPIRED
        return IPAsset(
            kind=spec.kind,
            number=validate_ip_number(spec.kind, spec.number),
            title=spec.title,
            holder=holder,
            filing_date=spec.filing_date,
            grant_date=spec.grant_date,
            expiry_date=expiry,
            status=status,
            ipc_codes=list(spec.ipc_codes),
            nice_classes=list(spec.nice_classes),
            industry=spec.industry,
            district=holder.district,
        )

    def _seed_scale_listings(self, *, batch_size: int) -> None:
        """A published listing of every benchmark asset that has none yet.

        Bulk inserts skip the services, so this does by hand what they would: the derived
        fields (kind, industry, district, L-belt, the jieba-segmented search text) come from
        the service's own `listing_derive_fields`, the description goes through the same sanitiser,
        and the search index is fed in bulk (bulk_create sends no post_save signal). There is
        no audit row: these rows exist to measure the portal under load, not to tell a story.
        """
        operator = self.operator
        today = timezone.localdate()
        now = timezone.now()
        valid_until = today + datetime.timedelta(days=data.LISTING_VALID_DAYS)
        pending = (
            IPAsset.objects.filter(title__contains=data.SCALE_TITLE_MARK, listings__isnull=True)
            .select_related("holder")
            .order_by("pk")
        )
        backend = get_search_backend()
        through = Listing.assets.through
        while batch := list(pending[:batch_size]):
            rows: list[Listing] = []
            for asset in batch:
                fields = data.scale_listing_fields(
                    asset.pk, kind=asset.kind, granted=asset.status == AssetStatus.VALID
                )
                words = data.action_words(str(fields["intent"]), str(fields["licence_type"]))
                listing = Listing(
                    holder=asset.holder,
                    title=f"{asset.title} {data.KIND_NOUN[asset.kind]}{words}",
                    description=sanitize_html(f"<p>{asset.title}（基准测试数据）。</p>"),
                    valid_until=valid_until,
                    state=ListingState.PUBLISHED,
                    published_at=now,
                    created_by=operator,
                    **fields,
                )
                listing_derive(listing, [asset])
                rows.append(listing)
            Listing.objects.bulk_create(rows, batch_size=batch_size)
            through.objects.bulk_create(
                [
                    through(listing_id=listing.pk, ipasset_id=asset.pk)
                    for listing, asset in zip(rows, batch, strict=True)
                ],
                batch_size=batch_size,
            )
            backend.add_bulk(Listing, rows)
            self.created["scale_listings"] += len(rows)

    # --- summary -------------------------------------------------------------------------
    def _summary(self, *, elapsed: float) -> None:
        if self.verbosity == 0:
            return
        write = self.stdout.write
        organizations = Organization.objects.all()
        verified = organizations.filter(verification_state=VerificationState.VERIFIED).count()
        banks = organizations.filter(kind=OrganizationKind.BANK).count()
        by_kind = dict(
            IPAsset.objects.order_by()
            .values("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
        write(self.style.SUCCESS(f"seed_demo finished in {elapsed:.1f} s / 演示数据已就绪"))
        write(f"  anchor day 基准日: {self.anchor} (every demo date is relative to it)")
        write(
            f"  organisations 机构: {organizations.count()} "
            f"({verified} verified, {banks} banks; {self.created['organizations']} new)"
        )
        write(
            f"  users 用户: {User.objects.count()} ({self.created['users']} new), "
            f"memberships 成员关系: {Membership.objects.count()}"
        )
        write(
            f"  IP assets 知识产权: {sum(by_kind.values())} "
            f"({self.created['assets']} new, {self.created['scale_assets']} new benchmark)"
        )
        for kind in AssetKind:
            write(f"    {kind.value:<24} {kind.label}: {by_kind.get(kind.value, 0)}")
        listings = Listing.objects.all()
        write(
            f"  listings 挂牌: {listings.count()} "
            f"({listings.filter(state=ListingState.PUBLISHED).count()} published; "
            f"{self.created['listings']} new, {self.created['scale_listings']} new benchmark)"
        )
        applications = PledgeApplication.objects.all()
        write(
            f"  pledge applications 质押融资申请: {applications.count()} "
            f"({applications.filter(pledged_assets__active=True).distinct().count()} active "
            f"pledges; {self.created['pledge applications']} new), "
            f"deals 交易: {Deal.objects.count()} ({self.created['deals']} new)"
        )
        for goal in all_goals():
            progress = pledge_progress(goal=goal)
            write(
                f"  goal 目标 {goal.name} ({goal.start} – {goal.end}): "
                f"{progress['percent']}% (¥{progress['registered_amount']:,} of "
                f"¥{goal.target:,}, {progress['count']} pledges)"
            )
        write(
            f"  news 新闻: {NewsPage.objects.count()} ({self.created['news']} new); "
            "pages 页面: / /listings/ /news/ /institutions/"
        )
        write("")
        write(f"Demo accounts 演示账号 (password 密码: {settings.DEMO_PASSWORD}):")
        width = max(len(account.email) for account in data.DEMO_ACCOUNTS)
        for account in data.DEMO_ACCOUNTS:
            write(f"  {account.email.ljust(width)}  {account.role:<13}  {account.description}")
        write(
            f"  Every organisation's contact.<key>@{data.DEMO_EMAIL_DOMAIN} uses the same password."
        )


def add_days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)
