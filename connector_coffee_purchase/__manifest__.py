# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Coffee Connector - Purchase",
    "summary": "Out of beans: a request for quotation to the beans' vendor",
    "version": "18.0.1.0.0",
    "development_status": "Alpha",
    "category": "Connector",
    "website": "https://github.com/OCA/connector-coffee",
    "author": "connector_coffee developers,Odoo Community Association (OCA)",
    "maintainers": ["connector-coffee"],
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["connector_coffee", "purchase"],
}
