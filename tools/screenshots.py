#!/usr/bin/env python3
"""Take the screenshots of README.rst from a running Odoo, in headless Chromium.

    python3 tools/demo.py &            # or any Odoo with connector_coffee
    python3 tools/screenshots.py       # then commit the PNGs it wrote

It logs in (``admin`` / ``admin`` by default) with a JSON-RPC call, orders a
brew on the first machine that is ready (``--no-brew``: use the last brew
done instead), then drives headless Chromium through the DevTools protocol:
the session cookie is set in the browser, each page is opened, and its
picture taken once the web client has drawn the view and stopped loading.
It writes, in ``connector_coffee/static/description/``:

``screenshot_machines.png``
    the machines kanban (Coffee > Machines), while the brew is brewing;
``screenshot_systray.png``
    the coffee cup of the navbar, open on Discuss, once *My usual* was
    clicked in it and is brewing (its progress moving live, the usual's
    machine busy, the nearest machine that can take it);
``screenshot_brew.png``
    the form of the brew, once it is done;
``screenshot_backend.png``
    the form of the first authorized backend;
``screenshot_backend_jura.png``
    the form of the JURA backend, paired with the JURA simulator;
``screenshot_dashboard.png``
    the Coffee dashboard, the app's landing page;
``screenshot_graph.png``
    the consumption graph (Coffee > Consumption);
``screenshot_busy_preference.png``
    the *Coffee* tab of the user's preferences, with "Pour me a coffee when
    Odoo keeps me waiting" switched on (it switches it on for the login, on
    the first connected machine, if it is not).

``--only screenshot_systray.png,...`` takes only those.

It needs ``requests`` and ``websocket-client``; when this Python lacks them,
it runs itself again with Odoo's (the interpreter of the ``odoo`` command).
"""

import argparse
import base64
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "connector_coffee" / "static" / "description"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
]
#: true once the web client shows a view and has no request in flight
SETTLED = """(() => {
    const ready = document.readyState === "complete"
        && document.querySelector(%s)
        && !document.querySelector(".o_blockUI, .o_loading_indicator");
    return Boolean(ready);
})()"""


def say(message):
    sys.stdout.write(f"[screenshots] {message}\n")
    sys.stdout.flush()


def fail(message):
    sys.stderr.write(f"{message}\n")
    sys.exit(1)


try:
    import requests
    import websocket
except ImportError:
    from demo import find_odoo  # tools/ is on sys.path: this script's folder

    _command, PYTHON = find_odoo()
    if not PYTHON or os.environ.get("COFFEE_SCREENSHOTS_REEXEC"):
        fail("This needs requests and websocket-client: pip install them.")
    os.environ["COFFEE_SCREENSHOTS_REEXEC"] = "1"
    os.execv(PYTHON, [PYTHON, __file__, *sys.argv[1:]])


class Odoo:
    """A logged-in JSON-RPC session on the Odoo server."""

    def __init__(self, url, database, login, password):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        params = {"db": database, "login": login, "password": password}
        result = self._post("/web/session/authenticate", params)
        if not result.get("uid"):
            fail(f"Could not log in to {self.url} as {login}.")
        self.session_id = self.session.cookies["session_id"]

    def _post(self, path, params):
        payload = {"jsonrpc": "2.0", "method": "call", "params": params}
        response = self.session.post(self.url + path, json=payload, timeout=60)
        response.raise_for_status()
        answer = response.json()
        if answer.get("error"):
            error = answer["error"].get("data", {}).get("message") or answer["error"]
            fail(f"Odoo answered {path} with an error: {error}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
        return self._post(f"/web/dataset/call_kw/{model}/{method}", params)

    def first(self, model, domain, fields, order="id desc"):
        records = self.call(
            model, "search_read", domain, fields=fields, limit=1, order=order
        )
        return records[0] if records else None


class Chromium:
    """Headless Chromium, driven through the DevTools protocol."""

    def __init__(self, binary, width, height):
        self.profile = tempfile.mkdtemp(prefix="coffee-screenshots-")
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.counter = 0
        try:
            self.socket = websocket.create_connection(
                self._page_socket_url(), timeout=60, suppress_origin=True
            )
            self.send(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            self.send("Page.enable")
            self.send("Network.enable")
        except BaseException:  # SystemExit of fail() too: no Chromium left
            self.close()
            raise

    def _page_socket_url(self):
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _attempt in range(200):
            if self.process.poll() is not None:
                fail("Chromium stopped at once: is it installed and working?")
            if port_file.exists() and port_file.read_text().strip():
                port = port_file.read_text().split()[0]
                targets = requests.get(
                    f"http://127.0.0.1:{port}/json/list", timeout=10
                ).json()
                pages = [t for t in targets if t["type"] == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            time.sleep(0.1)
        fail("Chromium did not open its DevTools port.")

    def send(self, method, **params):
        """Call a DevTools method and return its result (events are dropped)."""
        self.counter += 1
        message = {"id": self.counter, "method": method, "params": params}
        self.socket.send(json.dumps(message))
        return self._answer(self.counter)

    def _answer(self, call_id):
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"DevTools: {message['error']}")
                return message.get("result", {})

    def settled(self, selector):
        return self.evaluate(SETTLED % json.dumps(selector)) is True

    def open(self, url, selector, timeout=60):
        """Open ``url``, and wait until ``selector`` shows and loading stops."""
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        settled_since = None
        while time.monotonic() < deadline:
            if self.settled(selector):
                settled_since = settled_since or time.monotonic()
                # settled for a second: images, fonts and late renders are in
                if time.monotonic() - settled_since > 1.0:
                    return
            else:
                settled_since = None
            time.sleep(0.2)
        fail(f"{url} did not show {selector} within {timeout} s.")

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def capture(self, path, crop_to=None):
        """Write the page as a PNG; ``crop_to``: cut below these elements."""
        self.evaluate("document.activeElement && document.activeElement.blur()")
        params = {"format": "png"}
        if crop_to:
            metrics = self.evaluate(
                "[window.innerWidth, window.innerHeight, Math.max(0, ...Array.from("
                f"document.querySelectorAll({json.dumps(crop_to)}), "
                "(e) => e.getBoundingClientRect().bottom))]"
            )
            width, height, bottom = metrics
            if bottom:
                height = min(height, int(bottom) + 24)
                params["clip"] = {
                    "x": 0,
                    "y": 0,
                    "width": width,
                    "height": height,
                    "scale": 1,
                }
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))

    def click(self, selector, shows, timeout=30):
        """Click ``selector``; wait until ``shows`` is drawn."""
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.settled(shows):
                time.sleep(1.0)  # its data and late renders are in
                return
            time.sleep(0.2)
        fail(f"{selector} did not show {shows} within {timeout} s.")

    def capture_around(self, path, selector, margin=24):
        """Write the part of the page around ``selector`` (and the navbar
        above it) as a PNG."""
        left, bottom, width = self.evaluate(
            "(() => { const r = document.querySelector("
            f"{json.dumps(selector)}).getBoundingClientRect();"
            " return [r.left, r.bottom, window.innerWidth]; })()"
        )
        x = max(0, int(left) - margin)
        clip = {
            "x": x,
            "y": 0,
            "width": width - x,
            "height": int(bottom) + margin,
            "scale": 1,
        }
        data = self.send("Page.captureScreenshot", format="png", clip=clip)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self):
        if getattr(self, "socket", None):
            self.socket.close()
        if self.process.poll() is None:
            # its own process group: the zygote and renderers go with it
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def shrink(path, limit):
    """Make a PNG above ``limit`` bytes a 256-colour one, when Pillow is here."""
    if path.stat().st_size <= limit:
        return
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    path.write_bytes(buffer.getvalue())


def order_brew(odoo, timeout):
    """Order a brew on the first ready machine; return its id once brewing."""
    machine = odoo.first(
        "coffee.machine", [("display_state", "=", "ready")], ["name"], order="name"
    )
    if not machine:
        fail("No machine is ready to brew: import the machines and their state.")
    context = {"default_machine_id": machine["id"]}
    wizard = odoo.call("coffee.brew.wizard", "create", [{}], context=context)
    wizard = wizard[0] if isinstance(wizard, list) else wizard
    action = odoo.call("coffee.brew.wizard", "action_brew", [wizard])
    brew_id = action["res_id"]
    say(f"ordered brew {brew_id} on {machine['name']}")
    wait_brew(odoo, brew_id, ("brewing", "done"), timeout)
    # a third of the way, so that the progress bar shows
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        brew = odoo.call("coffee.brew", "read", [brew_id], ["state", "progress"])
        if brew[0]["state"] != "brewing" or brew[0]["progress"] >= 30:
            break
        time.sleep(1)
    # what the Refresh button does: the kanban then shows the brew going on
    refresh_machines(odoo)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = odoo.call("coffee.machine", "read", [machine["id"]], ["display_state"])
        if state[0]["display_state"] == "brewing":
            break
        time.sleep(1)
    return brew_id


def brew_usual(browser, timeout):
    """Click *My usual* in the open cup; return once it brews a while."""
    wait_brew_free = time.monotonic() + timeout
    usual = ".o-coffee-CoffeeMenu-usual .o-coffee-CoffeeMenu-brew:not([disabled])"
    while not browser.evaluate(f"Boolean(document.querySelector({json.dumps(usual)}))"):
        if time.monotonic() > wait_brew_free:
            fail("My usual cannot be brewed now: its machine is not free.")
        time.sleep(1)
    browser.evaluate(f"document.querySelector({json.dumps(usual)}).click()")
    brewing = """(() => {
        const state = document.querySelector(".o-coffee-CoffeeMenu-state");
        const bar = document.querySelector(
            ".o-coffee-CoffeeMenu-current .progress-bar");
        return Boolean(state && state.textContent.includes("Brewing")
            && bar && parseInt(bar.style.width) >= 30);
    })()"""
    deadline = time.monotonic() + timeout
    while not browser.evaluate(brewing):
        if time.monotonic() > deadline:
            fail("The brew ordered from the cup did not show brewing.")
        time.sleep(0.5)
    # the toasts of the earlier brew out of the way
    browser.evaluate(
        "document.querySelectorAll('.o_notification_close').forEach((b) => b.click())"
    )
    time.sleep(1.0)


def refresh_machines(odoo):
    machines = odoo.call("coffee.machine", "search", [])
    odoo.call("coffee.machine", "action_refresh", machines)


def wait_brew(odoo, brew_id, states, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        brew = odoo.call("coffee.brew", "read", [brew_id], ["state", "error_message"])
        state = brew[0]["state"]
        if state in states:
            return state
        if state in ("failed", "cancelled"):
            fail(f"Brew {brew_id} is {state}: {brew[0]['error_message']}")
        time.sleep(1)
    fail(f"Brew {brew_id} did not reach {' or '.join(states)} in {timeout} s.")


#: opens the person's preferences as the user menu does, on the Coffee tab
OPEN_PREFERENCES = """(async () => {
    const env = odoo.__WOWL_DEBUG__.root.env;
    const action = await env.services.orm.call("res.users", "action_get");
    action.res_id = %d;
    await env.services.action.doAction(action);
    return true;
})()"""
SHOW_COFFEE_TAB = """(() => {
    const tab = document.querySelector(".modal .o_notebook a[name='coffee_busy']");
    if (tab) { tab.click(); }
    return Boolean(tab);
})()"""


def show_preferences(browser, odoo, uid, path, timeout=60):
    """Open the preferences dialog of ``uid`` on its Coffee tab; capture it."""
    browser.open(f"{odoo.url}/odoo", ".o_main_navbar")
    browser.send(
        "Runtime.evaluate",
        expression=OPEN_PREFERENCES % uid,
        awaitPromise=True,
        returnByValue=True,
    )
    deadline = time.monotonic() + timeout
    while not browser.evaluate(SHOW_COFFEE_TAB):
        if time.monotonic() > deadline:
            fail("The preferences dialog showed no Coffee tab.")
        time.sleep(0.2)
    selector = ".modal .tab-pane.active [name='coffee_busy_machine_id']"
    while not browser.settled(selector):
        if time.monotonic() > deadline:
            fail("The Coffee tab of the preferences did not show.")
        time.sleep(0.2)
    time.sleep(1)
    browser.capture(path, ".modal-content")


def opt_in(odoo, login):
    """Switch "coffee when Odoo is busy" on for ``login``; return the user id."""
    user = odoo.first("res.users", [("login", "=", login)], ["coffee_busy_enabled"])
    if not user["coffee_busy_enabled"]:
        machine = odoo.first(
            "coffee.machine", [("connected", "=", True)], ["name"], order="id"
        )
        if not machine:
            fail("No machine is connected: import the machines first.")
        beverage = odoo.first(
            "coffee.beverage",
            [("machine_program_ids.machine_id", "=", machine["id"])],
            ["name"],
            order="id",
        )
        odoo.call(
            "res.users",
            "write",
            [user["id"]],
            {
                "coffee_busy_enabled": True,
                "coffee_busy_machine_id": machine["id"],
                "coffee_busy_beverage_id": beverage and beverage["id"],
            },
        )
    return user["id"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--database", default="coffee_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument(
        "--no-brew",
        action="store_true",
        help="order no brew: show the last brew done",
    )
    parser.add_argument("--brew-timeout", type=int, default=180)
    parser.add_argument("--max-size", type=int, default=250_000, help="bytes")
    parser.add_argument(
        "--only", default="", help="comma-separated names of the shots to take"
    )
    args = parser.parse_args(argv)

    odoo = Odoo(args.url, args.database, args.login, args.password)
    backend = odoo.first(
        "coffee.backend", [("auth_state", "=", "authorized")], ["name"], order="id"
    ) or odoo.first("coffee.backend", [], ["name"], order="id")
    if not backend:
        fail("There is no coffee backend to show.")
    jura = odoo.first("coffee.backend", [("api_type", "=", "jura")], ["name"])
    if not jura:
        fail("There is no JURA backend to show: run the demo of this checkout.")
    brew_id = None
    if not args.no_brew:
        brew_id = order_brew(odoo, args.brew_timeout)
    else:
        brew = odoo.first("coffee.brew", [("state", "=", "done")], ["name"])
        if not brew:
            fail("No brew is done yet: run without --no-brew to order one.")
        brew_id = brew["id"]

    args.output.mkdir(parents=True, exist_ok=True)
    # the pages as opened from the Coffee app (not from Connectors > Coffee)
    app = odoo.first(
        "ir.model.data",
        [("module", "=", "connector_coffee"), ("name", "=", "menu_coffee_app")],
        ["res_id"],
    )
    menu = f"?menu_id={app['res_id']}" if app else ""
    base = f"{odoo.url}/odoo/action-connector_coffee"
    browser = Chromium(args.chromium, args.width, args.height)
    try:
        browser.send(
            "Network.setCookie",
            name="session_id",
            value=odoo.session_id,
            url=odoo.url,
            httpOnly=True,
        )
        shots = [
            (
                "screenshot_machines.png",
                f"{base}.action_coffee_machine{menu}",
                ".o_kanban_view .o_kanban_record:not(.o_kanban_ghost)",
                ".o_kanban_record",
            ),
            (
                "screenshot_brew.png",
                f"{base}.action_coffee_brew/{brew_id}{menu}",
                ".o_form_view .o_form_sheet",
                None,
            ),
            (
                "screenshot_backend.png",
                f"{base}.action_coffee_backend/{backend['id']}{menu}",
                ".o_form_view .o_form_sheet",
                None,
            ),
            (
                "screenshot_backend_jura.png",
                f"{base}.action_coffee_backend/{jura['id']}{menu}",
                ".o_form_view .o_form_sheet",
                None,
            ),
            (
                "screenshot_dashboard.png",
                f"{base}.action_coffee_dashboard{menu}",
                ".o_kanban_view .o_kanban_record:not(.o_kanban_ghost)",
                None,
            ),
            (
                "screenshot_graph.png",
                f"{base}.action_coffee_consumption{menu}",
                ".o_graph_renderer canvas",
                None,
            ),
        ]
        only = set(filter(None, args.only.split(",")))
        if not only or "screenshot_systray.png" in only:
            # right after the ordering: the brew is still brewing
            browser.open(f"{odoo.url}/odoo/discuss", ".o-coffee-CoffeeMenu-toggle")
            browser.click(".o-coffee-CoffeeMenu-toggle", ".o-coffee-CoffeeMenu")
            brew_usual(browser, args.brew_timeout)
            path = args.output / "screenshot_systray.png"
            browser.capture_around(path, ".o-coffee-CoffeeMenu")
            shrink(path, args.max_size)
            say(f"wrote {path} ({path.stat().st_size // 1024} KB)")
        for name, url, selector, crop_to in shots:
            if only and name not in only:
                continue
            if name == "screenshot_brew.png":
                wait_brew(odoo, brew_id, ("done",), args.brew_timeout)
            browser.open(url, selector)
            path = args.output / name
            browser.capture(path, crop_to)
            shrink(path, args.max_size)
            say(f"wrote {path} ({path.stat().st_size // 1024} KB)")
        path = args.output / "screenshot_busy_preference.png"
        if not only or path.name in only:
            show_preferences(browser, odoo, opt_in(odoo, args.login), path)
            shrink(path, args.max_size)
            say(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    finally:
        browser.close()
    if not args.no_brew:
        refresh_machines(odoo)  # leave the machines ready again, counters up


if __name__ == "__main__":
    main()
