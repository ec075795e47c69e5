# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Components are chosen by the backend's API type, and jobs by their data."""

from types import SimpleNamespace

from odoo.tests import tagged

from .common import CoffeeTransactionCase


@tagged("post_install", "-at_install")
class TestComponents(CoffeeTransactionCase):
    def test_home_connect_backend_gets_the_home_connect_adapter(self):
        self.assertEqual(self.adapter()._name, "coffee.homeconnect.adapter")
        self.assertEqual(self.authenticator()._name, "coffee.homeconnect.authenticator")

    def test_home_connect_components_do_not_match_another_protocol(self):
        other = SimpleNamespace(collection=SimpleNamespace(api_type="meticulous"))
        same = SimpleNamespace(collection=SimpleNamespace(api_type="homeconnect"))
        adapter_class = type(self.adapter())
        self.assertFalse(adapter_class._component_match(other))
        self.assertTrue(adapter_class._component_match(same))

    def test_binder_serves_every_protocol(self):
        with self.work_on_backend(model_name="coffee.machine") as work:
            binder = work.component_by_name("coffee.binder")
        other = SimpleNamespace(collection=SimpleNamespace(api_type="meticulous"))
        self.assertTrue(type(binder)._component_match(other))

    def test_job_channels_are_data(self):
        channels = self.env["queue.job.channel"].search([]).mapped("complete_name")
        for name in ("root.coffee", "root.coffee.import", "root.coffee.brew"):
            self.assertIn(name, channels)

    def test_device_poll_job_runs_in_the_coffee_channel(self):
        function = self.env["queue.job.function"].search(
            [("name", "=", "<coffee.backend>._poll_device_authorization")]
        )
        self.assertEqual(function.channel, "root.coffee")
        self.assertEqual(
            function.related_action, {"func_name": "related_action_open_record"}
        )
