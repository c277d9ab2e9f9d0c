"""The admin index dashboard: its numbers, and a fixed number of queries."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from imports.factories import ImportRunFactory
from mls.factories import MlsSourceFactory, SyncRunFactory
from properties import dashboard
from properties.dashboard import dashboard_data
from properties.factories import InquiryFactory, PropertyFactory
from properties.models import Inquiry, Property
from users.factories import StaffFactory

pytestmark = pytest.mark.django_db

# Wednesday noon: "this week" started on Monday the 30th of November.
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.get_current_timezone())


def created(model, pk, when):
    model.objects.filter(pk=pk).update(created_at=when)


class TestNumbers:
    def test_new_listings_and_inquiries_today_and_this_week(self):
        today, monday, last_week = NOW, NOW - timedelta(days=2), NOW - timedelta(days=8)
        for when in (today, today, monday, last_week):
            created(Property, PropertyFactory().pk, when)
        old_listing = PropertyFactory()
        created(Property, old_listing.pk, NOW - timedelta(days=400))
        for when in (today, monday, monday, last_week):
            created(Inquiry, InquiryFactory(property=old_listing).pk, when)

        board = dashboard_data(now=NOW)

        assert (board.listings_today, board.listings_week) == (2, 3)
        assert (board.inquiries_today, board.inquiries_week) == (1, 3)

    def test_listings_by_status_lists_every_status(self):
        PropertyFactory.create_batch(2, status="active")
        PropertyFactory(status="pending")

        board = dashboard_data(now=NOW)

        assert board.by_status == [
            ("Coming soon", "coming_soon", 0),
            ("Active", "active", 2),
            ("Pending", "pending", 1),
            ("Sold", "sold", 0),
            ("Withdrawn", "withdrawn", 0),
            ("Expired", "expired", 0),
        ]

    def test_median_list_price_by_month_of_listing(self):
        for price in ("100000", "300000", "200000"):
            PropertyFactory(price=Decimal(price), listed_at=date(2026, 11, 5))
        for price in ("100000", "200000"):
            PropertyFactory(price=Decimal(price), listed_at=date(2026, 12, 1))
        PropertyFactory(price=Decimal("999999"), listed_at=date(2025, 1, 1))  # too old

        board = dashboard_data(now=NOW)

        assert board.median_by_month == [
            ("2026-11", Decimal("200000.00")),
            ("2026-12", Decimal("150000.00")),
        ]

    def test_leads_waiting_oldest_first_answered_ones_left_out(self):
        newer, older, answered = InquiryFactory.create_batch(3)
        created(Inquiry, older.pk, NOW - timedelta(days=3))
        created(Inquiry, newer.pk, NOW - timedelta(days=1))
        Inquiry.objects.filter(pk=answered.pk).update(answered_at=NOW)

        board = dashboard_data(now=NOW)

        assert board.leads_waiting == 2
        assert [lead.pk for lead in board.oldest_leads] == [older.pk, newer.pk]

    def test_no_source_and_no_import_leave_the_health_panel_empty(self):
        board = dashboard_data(now=NOW)

        assert (board.sync_sources, board.import_runs) == ([], [])


class TestSyncAndImportHealth:
    def test_each_source_shows_its_last_run_by_name_never_synced_ones_too(self):
        beta = MlsSourceFactory(name="Beta MLS")
        alpha = MlsSourceFactory(name="Alpha MLS")
        MlsSourceFactory(name="Gamma MLS")
        SyncRunFactory(source=alpha, status="succeeded")
        last_alpha = SyncRunFactory(source=alpha, status="failed", message="401 from the source")
        last_beta = SyncRunFactory(source=beta, status="running")

        board = dashboard_data(now=NOW)

        assert [(source.name, run and run.pk) for source, run in board.sync_sources] == [
            ("Alpha MLS", last_alpha.pk),
            ("Beta MLS", last_beta.pk),
            ("Gamma MLS", None),
        ]
        assert board.sync_sources_more is False

    def test_sources_past_the_panels_size_are_linked_not_listed(self, monkeypatch):
        monkeypatch.setattr(dashboard, "SOURCES_SHOWN", 2)
        MlsSourceFactory.create_batch(3)

        board = dashboard_data(now=NOW)

        assert (len(board.sync_sources), board.sync_sources_more) == (2, True)

    def test_the_latest_imports_newest_first(self):
        runs = ImportRunFactory.create_batch(dashboard.IMPORTS_SHOWN + 1)

        board = dashboard_data(now=NOW)

        assert [run.pk for run in board.import_runs] == [run.pk for run in reversed(runs[1:])]

    def test_the_panel_costs_the_same_with_more_sources_and_runs(
        self, django_assert_max_num_queries
    ):
        SyncRunFactory.create_batch(2)
        ImportRunFactory()
        with django_assert_max_num_queries(10) as few:
            dashboard_data(now=NOW)
        for source in MlsSourceFactory.create_batch(10):
            SyncRunFactory.create_batch(3, source=source)
        ImportRunFactory.create_batch(10)
        with django_assert_max_num_queries(len(few.captured_queries)):
            board = dashboard_data(now=NOW)
        assert (len(board.sync_sources), len(board.import_runs)) == (12, 5)

    def test_the_index_links_each_run_and_shows_its_health(self, client):
        client.force_login(StaffFactory(is_superuser=True))
        run = SyncRunFactory(
            source=MlsSourceFactory(name="Alpha MLS"),
            status="failed",
            message="401 from the source",
        )
        imported = ImportRunFactory(file_name="may.csv", status="succeeded", created=3)

        html = client.get("/admin/").content.decode()

        assert (
            f'class="hearth-health hearth-bad" href="/admin/mls/syncrun/{run.pk}/change/">Failed<'
            in html
        )
        assert "401 from the source" in html
        assert f'href="/admin/imports/importrun/{imported.pk}/change/">may.csv</a>' in html
        assert "created 3, updated 0, unchanged 0, failed 0" in html
        assert "No sync sources configured." not in html


class TestIndexPage:
    def test_queries_are_the_same_with_more_data(self, client, django_assert_num_queries):
        client.force_login(StaffFactory(is_superuser=True))
        PropertyFactory.create_batch(2)
        InquiryFactory.create_batch(2)
        SyncRunFactory()
        ImportRunFactory()
        # session, user, recent actions; the dashboard: data version, 6 aggregates (a miss),
        # sources with their last run's id, those runs, the latest imports
        with django_assert_num_queries(13):
            small = client.get("/admin/")
        PropertyFactory.create_batch(20)
        InquiryFactory.create_batch(20)
        SyncRunFactory.create_batch(5)
        ImportRunFactory.create_batch(5)
        with django_assert_num_queries(13):
            large = client.get("/admin/")
        assert small.status_code == large.status_code == 200

    def test_index_shows_the_dashboard_then_listings_first(self, client):
        client.force_login(StaffFactory(is_superuser=True))
        InquiryFactory(name="Dana Lead")

        html = client.get("/admin/").content.decode()

        assert 'id="dash-leads-waiting">1<' in html
        assert "Dana Lead" in html
        assert "No sync sources configured." in html
        assert "hearth/vendor/chartjs/chart.umd.min.js" in html
        # Hearth's own apps lead; Groups and API tokens come last.
        assert html.index("app-properties") < html.index("app-users") < html.index("app-auth")
        assert html.index("app-users") < html.index("app-authtoken")


class TestCache:
    def test_listing_numbers_are_cached_until_a_listing_changes(self, django_assert_num_queries):
        listing = PropertyFactory(status="active")
        dashboard_data(now=NOW)

        # data version, the inquiry numbers, then sources and imports (no run: no run query)
        with django_assert_num_queries(6):
            cached = dashboard_data(now=NOW)
        Property.objects.filter(pk=listing.pk).update(status="pending")
        with django_assert_num_queries(9):
            fresh = dashboard_data(now=NOW)

        assert ("Active", "active", 1) in cached.by_status
        assert ("Pending", "pending", 1) in fresh.by_status
