/*
 * The cup in the navbar (systray), for every Coffee User, on every screen:
 * my usual in one click, a few recent orders, "Other…" (the Brew wizard),
 * and my brew in progress, kept current by the bus (no timer). The command
 * palette (Ctrl+K) offers "Brew my usual" too. The server side is
 * models/coffee_live/systray.py.
 */
import {Component, onWillStart, useState} from "@odoo/owl";
import {Dropdown} from "@web/core/dropdown/dropdown";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {session} from "@web/session";
import {useCoffeeChanges} from "../live/live.esm";
import {useCommand} from "@web/core/commands/command_hook";
import {useDropdownState} from "@web/core/dropdown/dropdown_hooks";
import {useService} from "@web/core/utils/hooks";
import {user} from "@web/core/user";

/**
 * @typedef {Object} Line one order the cup offers
 * @property {Number} machine_id
 * @property {String} machine
 * @property {Number} beverage_id
 * @property {String} beverage
 * @property {Object} options
 * @property {String} summary
 * @property {string|false} blocked why the machine cannot take it now
 * @property {{machine_id: number, machine: string}|false} nearest
 */

const IN_PROGRESS = ["queued", "sent", "brewing"];

/** A key for the menu as loaded: two clicks with one key order one brew. */
function newKey() {
    return `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export class CoffeeMenu extends Component {
    static components = {Dropdown};
    static props = {};
    static template = "connector_coffee.CoffeeMenu";

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.dropdown = useDropdownState();
        this.state = useState({
            usual: false,
            recent: [],
            current: false,
            ordering: false,
            key: newKey(),
        });
        onWillStart(() => this.load());
        // My brews, the machine making mine (its progress is my brew's),
        // and the machines of my lines while the menu is open
        useCoffeeChanges(
            (change) =>
                (change.model === "coffee.brew" && change.user_id === user.userId) ||
                (change.model === "coffee.machine" &&
                    ((this.inProgress && change.id === this.state.current.machine_id) ||
                        (this.dropdown.isOpen && this.machineIds.has(change.id)))),
            () => this.load()
        );
        useCommand(_t("Brew my usual"), () => this.brewUsual(), {
            category: "app",
            global: true,
            isAvailable: () => Boolean(this.state.usual),
        });
    }

    async load() {
        const data = await this.orm.call("coffee.brew", "systray_get_coffee", []);
        Object.assign(this.state, data, {key: newKey()});
    }

    /** @returns {Set<number>} */
    get machineIds() {
        const lines = [this.state.usual, ...this.state.recent].filter(Boolean);
        return new Set(
            lines.flatMap((line) => [line.machine_id, line.nearest?.machine_id])
        );
    }

    get inProgress() {
        return Boolean(
            this.state.current && IN_PROGRESS.includes(this.state.current.state)
        );
    }

    /**
     * Order ``line``, on the nearest machine when ``nearest``: one click.
     *
     * @param {Line} line
     * @param {Boolean} [nearest]
     */
    async order(line, nearest = false) {
        if (this.state.ordering) {
            return;
        }
        this.state.ordering = true;
        try {
            const machineId = nearest ? line.nearest.machine_id : line.machine_id;
            await this.orm.call("coffee.brew", "systray_brew", [
                machineId,
                line.beverage_id,
                line.options,
                this.state.key,
            ]);
            await this.load();
        } finally {
            this.state.ordering = false;
        }
    }

    /** The palette's "Brew my usual": the usual, or its nearest machine. */
    async brewUsual() {
        const usual = this.state.usual;
        if (!usual) {
            return;
        }
        if (usual.blocked && !usual.nearest) {
            this.notification.add(usual.blocked, {type: "warning"});
            return;
        }
        await this.order(usual, Boolean(usual.blocked));
        this.notification.add(_t("Your %s is ordered.", usual.beverage), {
            type: "success",
        });
    }

    other() {
        this.dropdown.close();
        this.action.doAction("connector_coffee.action_coffee_brew_wizard");
    }

    openBrew() {
        this.dropdown.close();
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "coffee.brew",
            res_id: this.state.current.id,
            views: [[false, "form"]],
        });
    }
}

export const coffeeMenuItem = {
    Component: CoffeeMenu,
    isDisplayed: () => Boolean(session.connector_coffee_user),
};

registry.category("systray").add("connector_coffee.coffee_menu", coffeeMenuItem, {
    sequence: 25,
});
