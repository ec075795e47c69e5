/*
 * The coffee forms, lists and kanbans (and the dashboard) reload on the
 * coffee bus messages that concern what they show (see live.esm.js). A
 * record being edited is left alone.
 */
import {liveConcerns, useCoffeeChanges} from "./live.esm";
import {FormController} from "@web/views/form/form_controller";
import {KanbanController} from "@web/views/kanban/kanban_controller";
import {ListController} from "@web/views/list/list_controller";
import {patch} from "@web/core/utils/patch";

patch(FormController.prototype, {
    setup() {
        super.setup(...arguments);
        const concerns = liveConcerns(
            this.props.resModel,
            () => this.model.root?.resId,
            () => this.model.root?.data.machine_id?.id
        );
        if (concerns) {
            useCoffeeChanges(concerns, async () => {
                const root = this.model.root;
                if (root?.resId && !root.isNew && !(await root.isDirty())) {
                    await root.load();
                }
            });
        }
    },
});

patch(ListController.prototype, {
    setup() {
        super.setup(...arguments);
        const concerns = liveConcerns(this.props.resModel);
        if (concerns) {
            useCoffeeChanges(concerns, async () => {
                if (this.model.root && !this.model.root.editedRecord) {
                    await this.model.load();
                }
            });
        }
    },
});

patch(KanbanController.prototype, {
    setup() {
        super.setup(...arguments);
        const concerns = liveConcerns(this.props.resModel);
        if (concerns) {
            useCoffeeChanges(concerns, async () => {
                if (this.model.root) {
                    await this.model.load();
                }
            });
        }
    },
});
