"""`manage.py seed_demo [--scale N]`: realistic Zhengzhou demo data, safe to run again.

Organisations are keyed by credit code, users by e-mail, assets by (kind, number),
listings by (holder, title) and pages by their type or slug: whatever already exists is left
as it is, so a second run creates nothing. The tables and the random stream that fills them
live in `marketplace.demo.data`.
"""

import datetime
import time
from collections import Counter
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_fsm_log.models import StateLog
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
from listings.validators import validate_ip_number
from marketplace.deals.models import OPEN_DEAL_STATES, Deal
from marketplace.demo import data
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
from marketplace.pledges.models import OPEN_PLEDGE_STATES, Goal, PledgeApplication

VERIFY_NOTE = "演示数据：已核对营业执照与统一社会信用代码。"
VERIFY_LISTING_NOTE = "演示数据：已核对权利证书与权利状态。"


class Command(BaseCommand):
    help = (
        "Load the Zhengzhou demo data (organisations, demo accounts, IP assets, listings, "
        "the portal pages and news); running it again adds nothing. --scale N adds N "
        "benchmark assets, each with a published listing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help=(
                "Also create N benchmark assets and a published listing of each (bulk insert; "
                "numbers derived from the index)."
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

        with transaction.atomic():
            organizations = self._seed_parties()
        with transaction.atomic():
            self._seed_assets(organizations)
        with transaction.atomic():
            self._seed_listings(organizations)
        with transaction.atomic():
            self._seed_pages()
        with transaction.atomic():
            self._seed_pledge_history(organizations)
        with transaction.atomic():
            self._seed_pledges(organizations)
        with transaction.atomic():
            self._seed_deals(organizations)
        if scale:
            with transaction.atomic():
                self._seed_scale(
                    organizations,
                    count=scale,
                    batch_size=batch_size,
                    progress=not options["no_progress"] and self.verbosity > 0,
                )
            with transaction.atomic():
                self._seed_scale_listings(batch_size=batch_size)
        self._summary(elapsed=time.monotonic() - started)

    # --- phase 1: accounts and organisations -------------------------------------------
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

    def _seed_parties(self) -> dict[str, Organization]:
        emails = [account.email for account in data.DEMO_ACCOUNTS] + [
            spec.contact_email for spec in data.ORGANIZATIONS
        ]
        users = {user.email: user for user in User.objects.filter(email__in=emails)}
        accounts = {account.email: account for account in data.DEMO_ACCOUNTS}
        operator_account = accounts[data.OPERATOR_EMAIL]
        operator = self._user(
            users,
            email=operator_account.email,
            name=operator_account.name,
            is_staff=True,
            is_superuser=True,
        )
        by_code = {
            organization.credit_code: organization
            for organization in Organization.objects.filter(
                credit_code__in=[spec.credit_code for spec in data.ORGANIZATIONS]
            )
        }
        organizations: dict[str, Organization] = {}
        for spec in data.ORGANIZATIONS:
            if spec.credit_code in by_code:
                organizations[spec.key] = by_code[spec.credit_code]
                continue
            email = data.owner_email(spec)
            account = accounts.get(email)
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
                organization = organization_verify(
                    organization=organization, by=operator, note=VERIFY_NOTE
                )
            elif spec.state == VerificationState.REJECTED:
                organization = organization_reject(
                    organization=organization, by=operator, reason=spec.note
                )
            organizations[spec.key] = organization

        # Accounts that join an organisation someone else owns (reviewers, the appraiser).
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
        return organizations

    # --- phase 2: the base asset set, through the service ------------------------------
    def _seed_assets(self, organizations: dict[str, Organization]) -> None:
        specs = data.build_assets()
        existing = set(
            IPAsset.objects.filter(number__in={spec.number for spec in specs}).values_list(
                "kind", "number"
            )
        )
        # Staff may record an asset for any holder; asset_create validates the number,
        # the holder (a GI belongs to its association) and derives the expiry date.
        operator = User.objects.get(email=data.OPERATOR_EMAIL)
        for spec in specs:
            if (spec.kind, spec.number) in existing:
                continue
            try:
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
            except ValidationError as error:
                raise CommandError(f"Demo asset {spec.kind} {spec.number}: {error}") from error
            self.created["assets"] += 1

    # --- phase 3: listings, through the listing services ------------------------------
    def _seed_listings(self, organizations: dict[str, Organization]) -> None:
        """The demo listings: created and submitted by a member of the holder, published
        (or rejected) by the operator, a few withdrawn by the holder, so each carries the
        audit trail a real one would."""
        specs = data.build_listings()
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
        operator = User.objects.get(email=data.OPERATOR_EMAIL)
        owners = {
            user.email: user
            for user in User.objects.filter(
                email__in={data.owner_email(data.ORGANIZATIONS_BY_KEY[s.holder]) for s in specs}
            )
        }
        valid_until = timezone.localdate() + datetime.timedelta(days=data.LISTING_VALID_DAYS)
        for spec in specs:
            holder = organizations[spec.holder]
            if (holder.pk, spec.title) in existing:
                continue
            owner = owners[data.owner_email(data.ORGANIZATIONS_BY_KEY[spec.holder])]
            try:
                listing = listing_create(
                    by=owner,
                    holder=holder,
                    assets=[assets[key] for key in spec.assets],
                    title=spec.title,
                    intent=spec.intent,
                    licence_type=spec.licence_type,
                    asking_price=spec.asking_price,
                    description=spec.description,
                    valid_until=valid_until,
                )
                self.created["listings"] += 1
                if spec.state == ListingState.DRAFT:
                    continue
                listing = listing_submit(listing=listing, by=owner)
                if spec.state == ListingState.PENDING_REVIEW:
                    continue
                if spec.state == ListingState.REJECTED:
                    listing_reject(listing=listing, by=operator, reason=spec.note)
                    continue
                listing = listing_publish(listing=listing, by=operator, note=VERIFY_LISTING_NOTE)
                if spec.state == ListingState.WITHDRAWN:
                    listing_withdraw(listing=listing, by=owner, note=spec.note)
            except ValidationError as error:
                raise CommandError(f"Demo listing “{spec.title}”: {error}") from error

    # --- phase 6: pledge applications and deals (run after the pages) -----------------
    def _free_assets(
        self, holder: Organization, *, count: int, term_months: int, never_pledged: bool = False
    ) -> list[IPAsset]:
        """`count` of the holder's granted, valid assets that are in no open listing or
        application and outlive the loan by a year, in a stable order."""
        horizon = timezone.localdate() + datetime.timedelta(days=31 * term_months + 365)
        candidates = (
            IPAsset.objects.filter(
                holder=holder,
                status=AssetStatus.VALID,
                grant_date__isnull=False,
                expiry_date__gt=horizon,
            )
            .exclude(listings__state__in=[ListingState.PENDING_REVIEW, ListingState.PUBLISHED])
            .exclude(pledges__application__state__in=OPEN_PLEDGE_STATES)
            .order_by("number")
        )
        if never_pledged:  # history: no asset pledged twice over the same years
            candidates = candidates.exclude(pledges__isnull=False)
        return list(candidates[:count])

    def _backdate(self, obj: Any, *, days_ago: int) -> None:
        """Demo only: move the bookkeeping times (never the state) back, so the queue shows
        believable ages; the audit rows are spread over the same span."""
        if days_ago <= 0:
            return
        reached = timezone.now() - datetime.timedelta(days=days_ago)
        type(obj).objects.filter(pk=obj.pk).update(state_changed_at=reached)
        rows = list(StateLog.objects.for_(obj).order_by("pk").values_list("pk", flat=True))
        for index, pk in enumerate(reversed(rows)):
            StateLog.objects.filter(pk=pk).update(
                timestamp=reached - datetime.timedelta(days=index, hours=index * 3)
            )

    def _seed_pledges(self, organizations: dict[str, Organization]) -> None:
        """Applications at two banks in every stage of review and of the loan, each moved
        through the services by the holder's owner and the bank's demo reviewer."""
        from marketplace.pledges import services as pledges

        existing = set(PledgeApplication.objects.values_list("applicant_id", "purpose"))
        reviewers = {
            account.organization: User.objects.get(email=account.email)
            for account in data.DEMO_ACCOUNTS
            if account.role == "bank_reviewer"
        }
        today = timezone.localdate()
        path = [
            "submit",
            "claim",
            "approve",
            "sign_contract",
            "register",
            "disburse",
            "repay",
            "release",
        ]
        stop_at = {
            "draft": 0,
            "submitted": 1,
            "under_review": 2,
            "returned": 2,
            "rejected": 2,
            "approved": 3,
            "contract_signed": 4,
            "registered": 5,
            "disbursed": 6,
            "repaid": 7,
            "released": 8,
        }
        for spec in data.PLEDGE_SPECS:
            holder = organizations[spec.holder]
            if (holder.pk, spec.purpose) in existing:
                continue
            owner = User.objects.get(email=data.owner_email(data.ORGANIZATIONS_BY_KEY[spec.holder]))
            reviewer = reviewers[spec.bank]
            assets = self._free_assets(holder, count=spec.assets, term_months=spec.term_months)
            if len(assets) < spec.assets:
                raise CommandError(f"Demo pledge of {spec.holder}: not enough free assets.")
            start = today - datetime.timedelta(days=spec.days_ago)
            try:
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
                for name in path[: stop_at[spec.state]]:
                    app = self._pledge_step(
                        name, app, spec=spec, owner=owner, reviewer=reviewer, day=start
                    )
                if spec.state == "returned":
                    app = pledges.pledge_return_for_info(
                        application=app, by=reviewer, note=data.PLEDGE_NOTES["return_for_info"]
                    )
                elif spec.state == "rejected":
                    app = pledges.pledge_reject(
                        application=app, by=reviewer, reason=data.PLEDGE_NOTES["reject"]
                    )
            except ValidationError as error:
                raise CommandError(f"Demo pledge of {spec.holder}: {error}") from error
            self._backdate(app, days_ago=spec.days_ago)

    def _seed_pledge_history(self, organizations: dict[str, Organization]) -> None:
        """Registered pledges of 2023–2025 toward the action plan's ¥1.2 billion goal
        (≈ 77 % of it), then — the plan's period being over — the demo operator's follow-up
        goal and the registrations of its period up to yesterday (data.FOLLOW_UP_GOAL), so
        that the current goal shows partial progress and a pledge registered today moves
        its bar. Each goes through the services (so each counts in the ledger the way a real
        one does): applied, approved, contracted, registered on its date, disbursed, and —
        when its term has run out — repaid and released. A fixed random stream per period
        makes them the same on every machine for the same day."""
        import random

        today = timezone.localdate()
        self._seed_registrations(
            organizations,
            rng=random.Random(data.PLEDGE_HISTORY_SEED),
            start=datetime.date(2023, 1, 1),
            end=datetime.date(2025, 12, 31),
            count=data.PLEDGE_HISTORY_COUNT,
        )
        follow_up = data.FOLLOW_UP_GOAL
        if today <= follow_up.start:
            return
        Goal.objects.get_or_create(
            name=follow_up.name,
            defaults={
                "name_en": follow_up.name_en,
                "target": follow_up.target,
                "start": follow_up.start,
                "end": follow_up.end,
            },
        )
        end = min(today - datetime.timedelta(days=1), follow_up.end)
        months = (end.year - follow_up.start.year) * 12 + end.month - follow_up.start.month
        self._seed_registrations(
            organizations,
            rng=random.Random(f"{data.PLEDGE_HISTORY_SEED}:{follow_up.start:%Y}"),
            start=follow_up.start,
            end=end,
            count=int(data.FOLLOW_UP_PER_MONTH * (months + 1)),
        )

    def _seed_registrations(
        self,
        organizations: dict[str, Organization],
        *,
        rng: Any,
        start: datetime.date,
        end: datetime.date,
        count: int,
    ) -> None:
        """`count` registered pledges dated from `start` to `end` (later months busier, as
        a programme gathers pace); nothing when the period has some already (a rerun)."""
        from marketplace.pledges import services as pledges

        history = PledgeApplication.objects.filter(purpose__startswith="【历史】")
        if history.filter(registration_date__range=(start, end)).exists():
            return
        today = timezone.localdate()
        reviewers = {
            account.organization: User.objects.get(email=account.email)
            for account in data.DEMO_ACCOUNTS
            if account.role == "bank_reviewer"
        }
        holders = [
            org
            for org in organizations.values()
            if org.kind in (OrganizationKind.ENTERPRISE, OrganizationKind.UNIVERSITY)
            and org.verification_state == VerificationState.VERIFIED
        ]
        owners = {
            org.pk: User.objects.get(
                email=data.owner_email(
                    next(s for s in data.ORGANIZATIONS if s.credit_code == org.credit_code)
                )
            )
            for org in holders
        }
        days = (end - start).days
        dates = sorted(
            start + datetime.timedelta(days=int(days * rng.random() ** 0.8)) for _ in range(count)
        )
        for number, day in enumerate(dates, start=1):
            term = rng.choice((12, 12, 24, 36))
            amount = Decimal(rng.randrange(150, 2800) * 10_000)
            bank_key = data.PLEDGE_HISTORY_BANKS[number % len(data.PLEDGE_HISTORY_BANKS)]
            reviewer = reviewers[bank_key]
            rng.shuffle(holders)
            holder, assets = None, []
            for candidate in holders:
                assets = self._free_assets(candidate, count=1, term_months=term, never_pledged=True)
                if assets:
                    holder = candidate
                    break
            if holder is None:
                raise CommandError("Demo pledge history: no free asset left.")
            owner = owners[holder.pk]
            purpose = f"【历史】{rng.choice(data.PLEDGE_HISTORY_PURPOSES)}（{day:%Y年%m月}）"
            try:
                app = pledges.pledge_application_create(
                    by=owner,
                    applicant=holder,
                    bank=organizations[bank_key],
                    assets=assets,
                    requested_amount=amount,
                    term_months=term,
                    purpose=purpose,
                )
                app = pledges.pledge_submit(application=app, by=owner)
                app = pledges.pledge_claim(application=app, by=reviewer)
                app = pledges.pledge_approve(
                    application=app,
                    by=reviewer,
                    amount=amount,
                    annual_rate=Decimal(rng.choice(("3.45", "3.65", "3.85", "4.10"))),
                    term_months=term,
                )
                app = pledges.pledge_sign_contract(
                    application=app,
                    by=reviewer,
                    contract_number=f"ZY-{day:%Y%m%d}-{app.pk:04d}",
                    contract_date=day - datetime.timedelta(days=5),
                )
                app = pledges.pledge_register(
                    application=app,
                    by=reviewer,
                    registration_number=f"ZX{day:%Y}41{app.pk:06d}",
                    registration_date=day,
                    secured_amount=amount,
                )
                paid_out = min(day + datetime.timedelta(days=3), today)
                app = pledges.pledge_disburse(
                    application=app, by=reviewer, disbursed_on=paid_out, amount=amount
                )
                maturity = app.maturity_date
                if maturity is not None and maturity < today:
                    app = pledges.pledge_repay(application=app, by=reviewer, repaid_on=maturity)
                    pledges.pledge_release(
                        application=app,
                        by=reviewer,
                        released_on=min(maturity + datetime.timedelta(days=5), today),
                    )
            except ValidationError as error:
                raise CommandError(f"Demo pledge history #{number}: {error}") from error
            self._backdate(app, days_ago=(today - day).days)
            self.created["registered pledges"] += 1

    @staticmethod
    def _pledge_step(
        name: str,
        app: PledgeApplication,
        *,
        spec: data.PledgeSpec,
        owner: User,
        reviewer: User,
        day: datetime.date,
    ) -> PledgeApplication:
        """One step of a demo application's path, by the party whose step it is."""
        from marketplace.pledges import services as pledges

        if name == "submit":
            return pledges.pledge_submit(application=app, by=owner)
        if name == "claim":
            return pledges.pledge_claim(application=app, by=reviewer)
        if name == "approve":
            return pledges.pledge_approve(
                application=app,
                by=reviewer,
                amount=spec.amount,
                annual_rate=Decimal("3.65"),
                term_months=spec.term_months,
                note=data.PLEDGE_NOTES["approve"],
            )
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
                secured_amount=spec.amount,
            )
        if name == "disburse":
            return pledges.pledge_disburse(
                application=app, by=reviewer, disbursed_on=day, amount=spec.amount
            )
        if name == "repay":
            return pledges.pledge_repay(application=app, by=reviewer, repaid_on=day)
        return pledges.pledge_release(application=app, by=reviewer, released_on=day)

    def _seed_deals(self, organizations: dict[str, Organization]) -> None:
        """A few offers on published listings: one waiting for the seller, one accepted and
        waiting for the deposit, one completed (the deposit confirmed by the operator)."""
        from marketplace.deals import services as deals
        from marketplace.payments.services import payment_confirm_offline

        operator = User.objects.get(email=data.OPERATOR_EMAIL)
        today = timezone.localdate()
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
                .order_by("pk")
                .first()
            )
            if listing is None:
                raise CommandError(f"Demo deal: {spec.seller} has no free {spec.intent} listing.")
            buyer_user = User.objects.get(
                email=data.owner_email(data.ORGANIZATIONS_BY_KEY[spec.buyer])
            )
            seller_user = User.objects.get(
                email=data.owner_email(data.ORGANIZATIONS_BY_KEY[spec.seller])
            )
            price = ((listing.asking_price or Decimal("800000")) * spec.price_share).quantize(
                Decimal("0.01")
            )
            licence_end = min(
                (a.expiry_date for a in listing.assets.all() if a.expiry_date),
                default=today + datetime.timedelta(days=3 * 365),
            )
            terms: dict[str, Any] = (
                {
                    "territory": "河南省",
                    "licence_start": today,
                    "licence_end": min(licence_end, today + datetime.timedelta(days=3 * 365)),
                    "royalty": "入门费 + 年销售额 3%",
                }
                if spec.intent == "licence"
                else {}
            )
            try:
                deal = deals.deal_propose(
                    by=buyer_user,
                    buyer=buyer,
                    listing=listing,
                    price=price,
                    message=spec.message,
                    **terms,
                )
                self.created["deals"] += 1
                if spec.state == "proposed":
                    continue
                deal = deals.deal_accept(deal=deal, by=seller_user)
                if spec.state == "accepted":
                    continue
                payment_confirm_offline(
                    payment=deal.payments.get(), by=operator, note="演示数据：已到账。"
                )
                deals.deal_sign(deal=deal, by=seller_user)
                deal = deals.deal_sign(deal=deal, by=buyer_user)
                deal = deals.deal_file_recordal(
                    deal=deal,
                    by=seller_user,
                    recordal_number=f"ZLBG{today:%Y%m%d}{deal.pk:04d}",
                    recordal_date=today,
                )
                deals.deal_complete(deal=deal, by=seller_user)
            except ValidationError as error:
                raise CommandError(f"Demo deal {spec.buyer} → {spec.seller}: {error}") from error

    # --- phase 4: the portal's pages and news -------------------------------------------
    def _seed_pages(self) -> None:
        operator = User.objects.get(email=data.OPERATOR_EMAIL)
        before = NewsIndexPage.objects.count()
        pages = portal_pages_ensure(by=operator)
        index = pages["news"]
        assert isinstance(index, NewsIndexPage)
        self.created["pages"] += NewsIndexPage.objects.count() - before
        slugs = set(NewsPage.objects.child_of(index).values_list("slug", flat=True))
        for spec in data.build_news():
            if spec.slug in slugs:
                continue
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

    # --- phase 5: benchmark assets ------------------------------------------------------
    def _seed_scale(
        self,
        organizations: dict[str, Organization],
        *,
        count: int,
        batch_size: int,
        progress: bool,
    ) -> None:
        holders = [
            organizations[spec.key]
            for spec in data.ORGANIZATIONS
            if spec.kind in data.HOLDER_KINDS and spec.state == VerificationState.VERIFIED
        ]
        today = timezone.localdate()
        with tqdm(total=count, unit="asset", desc="seed_demo --scale", disable=not progress) as bar:
            for start in range(0, count, batch_size):
                indexes = range(start, min(start + batch_size, count))
                specs = [data.scale_asset_spec(index) for index in indexes]
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
        operator = User.objects.get(email=data.OPERATOR_EMAIL)
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

    # --- summary ----------------------------------------------------------------------------
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
        from marketplace.pledges.progress import all_goals, pledge_progress

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
