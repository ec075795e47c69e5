/*
 * The systray cup (static/src/systray/coffee_menu.esm.js), on a mock
 * server: my usual in one click, a machine that cannot take it, a failed
 * brew, and the menu following the bus messages of my brew.
 */
import {LIVE_TYPE, coalesced} from "@connector_coffee/live/live.esm";
import {beforeEach, describe, expect, test} from "@odoo/hoot";
import {
    contains,
    getService,
    mockService,
    mountWithCleanup,
    onRpc,
    serverState,
} from "@web/../tests/web_test_helpers";
import {CoffeeMenu} from "@connector_coffee/systray/coffee_menu.esm";
import {animationFrame} from "@odoo/hoot-mock";
import {defineMailModels} from "@mail/../tests/mail_test_helpers";

describe.current.tags("desktop");
// The web client of this database has Discuss: its services need its models
defineMailModels();

const ESPRESSO = {
    machine_id: 1,
    machine: "Library coffee machine",
    beverage_id: 10,
    beverage: "Espresso",
    options: {strength: "Strong"},
    summary: "Bean amount: Strong",
    blocked: false,
    nearest: false,
};

/** @type {Object} what the server answers to systray_get_coffee */
let served = null;
/** @type {Function[]} the bus listeners of the coffee messages */
let listeners = [];
/** How many times the menu asked the server for its content */
let loads = 0;

beforeEach(() => {
    served = {usual: ESPRESSO, recent: [], current: false};
    listeners = [];
    // The real bus service, its subscriptions caught: the test sends
    mockService("bus_service", {
        subscribe(type, listener) {
            if (type === LIVE_TYPE) {
                listeners.push(listener);
            }
        },
        unsubscribe() {
            // The component is destroyed with the test
        },
        start() {
            // No websocket in a unit test
        },
    });
    loads = 0;
    onRpc("coffee.brew", "systray_get_coffee", () => {
        loads++;
        return served;
    });
});

/** A bus message about my brew ``id``. */
async function busMessage(change) {
    for (const listener of listeners) {
        listener({changes: [change]});
    }
    await animationFrame();
    await animationFrame();
}

async function openMenu() {
    await mountWithCleanup(CoffeeMenu);
    await contains(".o-coffee-CoffeeMenu-toggle").click();
}

test("my usual is ordered in one click", async () => {
    onRpc("coffee.brew", "systray_brew", ({args}) => {
        expect.step(["systray_brew", ...args.slice(0, 3)]);
        served = {
            ...served,
            current: {
                id: 7,
                name: "Espresso",
                machine: ESPRESSO.machine,
                state: "queued",
                state_label: "Queued",
                progress: 0,
                error: "",
            },
        };
        return {brew_id: 7};
    });
    await openMenu();
    expect(".o-coffee-CoffeeMenu-usual").toHaveText(
        /Espresso\s+on Library coffee machine/
    );
    await contains(".o-coffee-CoffeeMenu-usual .o-coffee-CoffeeMenu-brew").click();
    expect.verifySteps([["systray_brew", 1, 10, {strength: "Strong"}]]);
    expect(".o-coffee-CoffeeMenu-state").toHaveText("Queued");
});

test("a machine that cannot take it says why and offers the nearest", async () => {
    served.usual = {
        ...ESPRESSO,
        blocked: "Remote start is off on Library coffee machine.",
        nearest: {machine_id: 2, machine: "Lobby coffee machine"},
    };
    onRpc("coffee.brew", "systray_brew", ({args}) => {
        expect.step(["systray_brew", args[0]]);
        return {brew_id: 8};
    });
    await openMenu();
    expect(".o-coffee-CoffeeMenu-usual .o-coffee-CoffeeMenu-brew").toHaveAttribute(
        "disabled"
    );
    expect(".o-coffee-CoffeeMenu-blocked").toHaveText(
        /Remote start is off on Library coffee machine\./
    );
    await contains(".o-coffee-CoffeeMenu-nearest").click();
    expect.verifySteps([["systray_brew", 2]]);
});

test("a failed brew says why", async () => {
    served.current = {
        id: 7,
        name: "Espresso",
        machine: "Library coffee machine",
        state: "failed",
        state_label: "Failed",
        progress: 0,
        error: "The water tank is empty.",
    };
    await openMenu();
    expect(".o-coffee-CoffeeMenu-failed").toHaveText(
        "Could not be made on Library coffee machine: The water tank is empty."
    );
});

test("my brew moves live on the bus, others' messages are ignored", async () => {
    const brew = {
        id: 7,
        name: "Espresso",
        machine: "Library coffee machine",
        state: "brewing",
        state_label: "Brewing",
        progress: 40,
        error: "",
    };
    served.current = brew;
    await openMenu();
    expect(".o-coffee-CoffeeMenu-state").toHaveText("Brewing");
    expect(".o-coffee-CoffeeMenu-current").toHaveText(/40%/);
    const before = loads;

    await busMessage({model: "coffee.brew", id: 99, fields: ["state"], user_id: 1234});
    expect(loads).toBe(before, {message: "another person's brew: nothing to read"});

    served.current = {...brew, state: "done", state_label: "Done", progress: 100};
    await busMessage({
        model: "coffee.brew",
        id: 7,
        fields: ["state"],
        user_id: serverState.userId,
    });
    expect(loads).toBe(before + 1, {message: "my brew: read once"});
    expect(".o-coffee-CoffeeMenu-ready").toHaveText("Ready on Library coffee machine");
});

test("messages that come during a reload make one more reload, not one each", async () => {
    let runs = 0;
    let release = null;
    const reload = coalesced(async () => {
        runs++;
        await new Promise((resolve) => {
            release = resolve;
        });
    });
    reload();
    reload();
    reload();
    reload();
    expect(runs).toBe(1);
    release();
    await animationFrame();
    expect(runs).toBe(2, {message: "the three messages: one more reload"});
    release();
    await animationFrame();
    expect(runs).toBe(2);
});

test("the command palette brews my usual", async () => {
    onRpc("coffee.brew", "systray_brew", ({args}) => {
        expect.step(["systray_brew", args[0], args[1]]);
        return {brew_id: 9};
    });
    await mountWithCleanup(CoffeeMenu);
    const command = getService("command")
        .getCommands(getService("ui").activeElement)
        .find((cmd) => cmd.name === "Brew my usual");
    expect(Boolean(command)).toBe(true);
    await command.action();
    expect.verifySteps([["systray_brew", 1, 10]]);
});
