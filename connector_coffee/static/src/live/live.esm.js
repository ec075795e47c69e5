/*
 * What a person has open follows the machine: the server sends one bus
 * message ("connector_coffee/changed") when a brew or a machine changes in a
 * way the views show (models/coffee_live/live.py); the views of those models
 * reload what they show. No timer: a message that comes while a reload runs
 * makes one more reload when it ends, however many came.
 */
import {onWillDestroy} from "@odoo/owl";
import {useService} from "@web/core/utils/hooks";

export const LIVE_TYPE = "connector_coffee/changed";

/**
 * @typedef {Object} Change
 * @property {String} model
 * @property {Number} id
 * @property {string[]} fields
 * @property {Number} [user_id]
 * @property {Number} [machine_id]
 */

/**
 * ``fn`` run at most once at a time: calls made while it runs are folded
 * into one more run after it.
 *
 * @param {() => Promise<any>} fn
 * @returns {() => Promise<void>}
 */
export function coalesced(fn) {
    let running = null;
    let again = false;
    const run = async () => {
        if (running) {
            again = true;
            return running;
        }
        running = (async () => {
            try {
                do {
                    again = false;
                    await fn();
                } while (again);
            } finally {
                running = null;
            }
        })();
        return running;
    };
    return run;
}

/**
 * Call ``onChanges(changes)`` (coalesced) for each coffee bus message that
 * has a change ``concerns`` accepts, while the component lives.
 *
 * @param {(change: Change) => boolean} concerns
 * @param {() => Promise<any>} reload
 */
export function useCoffeeChanges(concerns, reload) {
    const bus = useService("bus_service");
    const run = coalesced(reload);
    const listener = ({changes}) => {
        if ((changes || []).some(concerns)) {
            run();
        }
    };
    bus.subscribe(LIVE_TYPE, listener);
    bus.start();
    onWillDestroy(() => bus.unsubscribe(LIVE_TYPE, listener));
}

/**
 * What a view of ``resModel`` shows that a change may concern: a form its
 * record (and a machine form its brews), a list or a kanban any record of
 * its model (one may enter it), the dashboard everything.
 *
 * A brew's progress comes with its machine's message: a brew form follows
 * the progress of its machine too.
 *
 * @param {String} resModel
 * @param {() => number|false} [resId] the record a form shows
 * @param {() => number|false} [machineId] the machine of the brew it shows
 * @returns {((change: Change) => boolean)|null} null: not a coffee view
 */
export function liveConcerns(resModel, resId, machineId) {
    if (resModel === "coffee.dashboard.tile") {
        return () => true;
    }
    if (resModel !== "coffee.brew" && resModel !== "coffee.machine") {
        return null;
    }
    if (!resId) {
        return (change) => change.model === resModel;
    }
    return (change) =>
        (change.model === resModel && change.id === resId()) ||
        (resModel === "coffee.machine" && change.machine_id === resId()) ||
        (resModel === "coffee.brew" &&
            change.model === "coffee.machine" &&
            change.id === machineId?.() &&
            change.fields.includes("program_progress"));
}
