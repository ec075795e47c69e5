"""Coffee machine protocols, without Odoo.

``coffee_machine`` holds one sub-package per machine protocol. Each protocol
package has two halves that mirror each other:

* ``client``: how the connector talks to a real machine (typed calls, typed
  errors, OAuth helpers, an event-stream reader);
* ``simulator``: a local machine that speaks the same protocol over real HTTP,
  for tests, demos and anyone without a coffee machine.

The first protocol is Home Connect (``coffee_machine.homeconnect``), the cloud
API of Siemens, Bosch, Neff and Gaggenau bean-to-cup machines. A second one
(for instance a machine's local HTTP API) would sit beside it as
``coffee_machine.<protocol>`` with the same two halves.

Nothing here imports Odoo: the package installs and tests on its own.
"""
