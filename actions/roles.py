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
        "indicators.view_indicator",
        "indicators.view_indicatorvalue",
        "indicators.add_indicatorvalue",
    ],
    MANAGER: [
        "actions.view_action",
        "actions.view_statusupdate",
        "actions.view_reportingperiod",
        "actions.view_importbatch",
        "targets.view_target",
        "indicators.view_indicator",
        "indicators.view_indicatorvalue",
    ],
    PLAN_ADMIN: [
        "actions.view_action",
        "actions.add_action",
        "actions.change_action",
        "actions.view_statusupdate",
        "actions.add_statusupdate",
        "actions.view_reportingperiod",
        "actions.add_reportingperiod",
        "actions.view_importbatch",
        "actions.add_importbatch",
        "actions.view_updatereminder",
        "actions.view_actiontarget",
        "actions.add_actiontarget",
        "actions.change_actiontarget",
        "actions.delete_actiontarget",
        "targets.view_target",
        "targets.add_target",
        "targets.change_target",
        "indicators.view_indicator",
        "indicators.add_indicator",
        "indicators.change_indicator",
        "indicators.view_indicatorgoal",
        "indicators.add_indicatorgoal",
        "indicators.change_indicatorgoal",
        "indicators.delete_indicatorgoal",
        "indicators.view_indicatorvalue",
        "indicators.add_indicatorvalue",
        "indicators.view_indicatorimport",
        "indicators.add_indicatorimport",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}
