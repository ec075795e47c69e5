/*
 * The main flow of the coffee connector, as a person clicks it: open
 * Connectors > Coffee, open a backend, test its connection, import its
 * machines and beverages, order a brew from a machine's kanban card, see
 * it reach "Done" in the brew log, then open the Coffee dashboard, today's
 * brews and their graph.
 *
 * Imports and brews run in queue jobs: the test that starts this tour runs a
 * job runner beside the browser, and the tour waits for the jobs' results
 * (waitFor) the way a person would wait before looking again.
 */
import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

const COFFEE_MENU =
    ".o_menu_sections [data-menu-xmlid='connector_coffee.menu_coffee_root']";

function openCoffeeMenu(xmlid, content) {
    return [
        {content: "Open the Coffee menu", trigger: COFFEE_MENU, run: "click"},
        {
            content,
            trigger: `.dropdown-item[data-menu-xmlid='${xmlid}']`,
            run: "click",
        },
    ];
}

/**
 * A step that waits until ``domain`` matches records of ``model`` or, with
 * ``none``, until it matches none.
 */
function waitFor(model, domain, content, {none = false} = {}) {
    return {
        content,
        trigger: "body",
        timeout: 60000,
        async run() {
            const deadline = Date.now() + 50000;
            while (Date.now() < deadline) {
                const count = await rpc(`/web/dataset/call_kw/${model}/search_count`, {
                    model,
                    method: "search_count",
                    args: [domain],
                    kwargs: {},
                });
                if (none ? !count : count) {
                    return;
                }
                await new Promise((resolve) => setTimeout(resolve, 250));
            }
            throw new Error(`Waited in vain: ${content}`);
        },
    };
}

registry.category("web_tour.tours").add("connector_coffee_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "connector.menu_connector_root",
            "Open the Connectors"
        ),
        ...openCoffeeMenu("connector_coffee.menu_coffee_backend", "Open the backends"),
        {
            content: "Open the backend",
            trigger: ".o_data_row td[name='name']:contains('Tour simulator')",
            run: "click",
        },
        {
            content: "Test the connection",
            trigger: "button[name='action_test_connection']",
            run: "click",
        },
        {
            content: "The connection works",
            trigger: ".o_notification:contains('coffee machine(s) found')",
        },
        {
            content: "Import the machines",
            trigger: "button[name='action_import_machines']",
            run: "click",
        },
        waitFor("coffee.machine", [], "the machines are imported"),
        {
            content: "Import the beverages",
            trigger: "button[name='action_import_catalogue']",
            run: "click",
        },
        // One catalogue job per machine: wait for every machine's beverages
        waitFor(
            "coffee.machine",
            [["program_ids", "=", false]],
            "the beverages of every machine are imported",
            {none: true}
        ),
        ...openCoffeeMenu("connector_coffee.menu_coffee_machine", "Open the machines"),
        {
            content: "Order a brew from the first machine's card",
            trigger: ".o_kanban_record:first button:contains(Brew)",
            run: "click",
        },
        {
            content: "Choose a cappuccino",
            trigger: ".modal div[name='beverage_id'] input",
            run: "edit Cappuccino",
        },
        {
            content: "Pick it in the list",
            trigger: ".o-autocomplete--dropdown-item a:contains(Cappuccino)",
            run: "click",
        },
        {
            content: "Brew",
            trigger: ".modal button[name='action_brew']",
            run: "click",
        },
        {
            content: "The brew is shown",
            trigger: ".o_form_view .o_statusbar_status",
        },
        waitFor("coffee.brew", [["state", "=", "done"]], "the brew is done"),
        ...openCoffeeMenu("connector_coffee.menu_coffee_brew", "Open the brew log"),
        {
            content: "The cappuccino is done",
            trigger: ".o_data_row:contains(Cappuccino) .badge:contains(Done)",
        },
        ...stepUtils.goToAppSteps(
            "connector_coffee.menu_coffee_app",
            "Open the Coffee app: its dashboard"
        ),
        {
            content: "Today's tile counts the cappuccino",
            trigger: ".o_kanban_record:contains(Today):contains(1)",
            run: "click",
        },
        {
            content: "Today's brews are listed",
            trigger: ".o_list_view .o_data_row:contains(Cappuccino)",
        },
        {
            content: "Show them as a graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph is drawn",
            trigger: ".o_graph_renderer canvas",
        },
    ],
});
