# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""New tokens survive a rollback, and concurrent refreshes spend one token.

These tests use real, separately committed transactions (no test mode), as
two job workers would: the backend is committed for real, and removed again
at the end of each test. While tests run, the test runner holds the registry
lock that opening an environment in another thread takes; like Odoo's own
HttpCase, the tests swap it for a dummy lock so that the "job" threads run.
"""

import threading

from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import tagged

from .common import CommittedBackendCase


@tagged("post_install", "-at_install")
class TestCommittedState(CommittedBackendCase):
    simulator_options = {"one_time_refresh_tokens": True}

    def setUp(self):
        super().setUp()
        self.addCleanup(setattr, Registry, "_lock", Registry._lock)
        Registry._lock = DummyRLock()

    def _stored_tokens(self):
        with self.registry.cursor() as cr:
            return self._backend(cr)._current_tokens()

    def _refresh_in_a_job(self, rejected_token, results, barrier=None):
        with self.registry.cursor() as cr:
            backend = self._backend(cr)
            with backend.work_on("coffee.backend") as work:
                authenticator = work.component(usage="authenticator")
                if barrier:
                    barrier.wait(timeout=10)
                results.append(authenticator.refresh_tokens(rejected_token))
            cr.rollback()  # the job fails later on: its transaction is lost

    def test_refreshed_tokens_survive_the_rollback_of_the_job(self):
        results = []
        self._refresh_in_a_job(self.issued["access_token"], results)

        stored = self._stored_tokens()
        self.assertEqual(stored["access_token"], results[0])
        self.assertNotEqual(stored["refresh_token"], self.issued["refresh_token"])
        # the stored refresh token is the live one (one-time mode)
        with self.registry.cursor() as cr:
            with self._backend(cr).work_on("coffee.backend") as work:
                work.component(usage="authenticator").refresh_tokens(force=True)
        self.assertEqual(self._stored_tokens()["auth_state"], "authorized")

    def test_two_jobs_refreshing_at_once_spend_the_refresh_token_once(self):
        results = []
        barrier = threading.Barrier(2)
        jobs = [
            threading.Thread(
                target=self._refresh_in_a_job,
                args=(self.issued["access_token"], results, barrier),
            )
            for _ in range(2)
        ]
        for job in jobs:
            job.start()
        for job in jobs:
            job.join(timeout=30)

        self.assertEqual(len(results), 2, "both jobs got a token")
        self.assertEqual(results[0], results[1], "the second used the first's")
        stored = self._stored_tokens()
        self.assertEqual(stored["auth_state"], "authorized")
        self.assertEqual(stored["access_token"], results[0])

    def test_a_job_writing_the_backend_after_api_calls_commits(self):
        with self.registry.cursor() as cr:
            backend = self._backend(cr)
            self.assertEqual(backend.name, "Committed backend")  # snapshot taken
            with backend.work_on("coffee.backend") as work:
                work.component(usage="backend.adapter").call("get_appliances")
            # the call was counted (and committed) meanwhile; writing the
            # backend must not meet a concurrent update of its row when this
            # transaction commits, at the end of the block
            backend.write({"name": "Renamed by a job"})
        with self.registry.cursor() as cr:
            backend = self._backend(cr)
            self.assertEqual(backend.name, "Renamed by a job")
            self.assertEqual(backend.quota_calls_today, 1)

    def test_the_transaction_that_stored_a_value_sees_it(self):
        with self.registry.cursor() as cr:
            backend = self._backend(cr)
            self.assertFalse(backend.device_user_code)  # snapshot taken
            backend._store({"device_user_code": "WXYZ-1234", "device_interval": 9})
            self.assertEqual(backend.device_user_code, "WXYZ-1234")
            self.assertEqual(backend.device_interval, 9)
