"""The three roles of the service, as Django groups created by a data migration."""

OFFICER = "Officer"
MANAGER = "Manager"
PLAN_ADMIN = "Plan admin"

# app_label.codename for each role. Kept here, with the migration reading a frozen copy.
PERMISSIONS = {
    OFFICER: [
        "actions.view_action",
        "actions.view_statusupdate",
        "actions.add_statusupdate",
        "actions.view_reportingperiod",
        "targets.view_target",
    ],
    MANAGER: [
        "actions.view_action",
        "actions.view_statusupdate",
        "actions.view_reportingperiod",
        "actions.view_importbatch",
        "actions.review_statusupdate",
        "targets.view_target",
    ],
    PLAN_ADMIN: [
        "actions.view_action",
        "actions.add_action",
        "actions.change_action",
        "actions.view_statusupdate",
        "actions.add_statusupdate",
        "actions.view_reportingperiod",
        "actions.add_reportingperiod",
        "actions.close_reportingperiod",
        "actions.view_importbatch",
        "actions.add_importbatch",
        "actions.view_updatereminder",
        "actions.view_rememberedchoice",
        "actions.add_rememberedchoice",
        "actions.change_rememberedchoice",
        "actions.delete_rememberedchoice",
        "actions.view_actiontarget",
        "actions.add_actiontarget",
        "actions.change_actiontarget",
        "actions.delete_actiontarget",
        "targets.view_target",
        "targets.add_target",
        "targets.change_target",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}
