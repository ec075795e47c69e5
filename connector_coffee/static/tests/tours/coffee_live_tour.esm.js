/*
 * What the person sees is what the machine does, as an employee clicks it:
 *
 * - connector_coffee_systray_tour: from Discuss, brew my usual from the cup
 *   in the navbar in one click, watch the cup go Queued → Brewing → ready
 *   without a reload, then open the brew: Done, with its dates;
 * - connector_coffee_live_form_tour: a brew's form left open while the brew
 *   runs reaches Done on its own.
 *
 * The test that starts them runs a job runner beside the browser and lets
 * the bus reach it (tests/test_tour_live.py). A mark left on the window at
 * the start and found at the end proves that no step reloaded the page.
 */
import {registry} from "@web/core/registry";

const LONG = 60000;

const markThePage = {
    content: "Mark the page: a reload would lose the mark",
    trigger: "body",
    run() {
        window.coffeeNoReload = true;
    },
};

const theMarkIsThere = {
    content: "The page was not reloaded",
    trigger: "body",
    run() {
        if (!window.coffeeNoReload) {
            throw new Error("The page was reloaded");
        }
    },
};

registry.category("web_tour.tours").add("connector_coffee_systray_tour", {
    url: "/odoo/discuss",
    steps: () => [
        {content: "Discuss is open", trigger: ".o-mail-Discuss"},
        markThePage,
        {
            content: "Open the cup in the navbar",
            trigger: ".o-coffee-CoffeeMenu-toggle",
            run: "click",
        },
        {
            content: "Brew my usual in one click",
            trigger: ".o-coffee-CoffeeMenu-usual .o-coffee-CoffeeMenu-brew:enabled",
            run: "click",
        },
        {
            content: "The cup shows my brew queued",
            trigger: ".o-coffee-CoffeeMenu-state:contains(Queued)",
            timeout: LONG,
        },
        {
            content: "The cup shows it brewing",
            trigger: ".o-coffee-CoffeeMenu-state:contains(Brewing)",
            timeout: LONG,
        },
        {
            content: "The cup says it is ready",
            trigger: ".o-coffee-CoffeeMenu-ready:contains(Ready on)",
            timeout: LONG,
        },
        theMarkIsThere,
        {
            content: "Open the brew",
            trigger: ".o-coffee-CoffeeMenu-current a",
            run: "click",
        },
        {
            content: "The brew is done",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Done)",
        },
        {
            content: "It was sent, started and done at known times",
            trigger:
                ".o_form_view:has(.o_field_widget[name='date_sent']:contains(20))" +
                ":has(.o_field_widget[name='date_started']:contains(20))" +
                ":has(.o_field_widget[name='date_done']:contains(20))",
        },
    ],
});

registry.category("web_tour.tours").add("connector_coffee_live_form_tour", {
    steps: () => [
        {
            content: "The brew's form is open",
            trigger: ".o_form_view .o_statusbar_status",
        },
        markThePage,
        {
            content: "The status bar reaches Done on its own",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Done)",
            timeout: LONG,
        },
        {
            content: "With the time it was done",
            trigger: ".o_form_view .o_field_widget[name='date_done']:contains(20)",
        },
        theMarkIsThere,
    ],
});
