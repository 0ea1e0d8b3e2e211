"""The admin: plan admins keep everything; officers record status for the actions they lead, and nothing else."""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.text import Truncator

from actions.forms import based_on_update, commentary_problem, period_choices
from actions.models import (
    RAG,
    Action,
    ActionFunding,
    ActionLink,
    ActionMilestone,
    ActionTarget,
    DeliveryStatus,
    ImportBatch,
    Partner,
    PeriodClosed,
    PeriodEvent,
    PortfolioHolder,
    RememberedChoice,
    ReportingPeriod,
    ReportSnapshot,
    ReviewDecision,
    Service,
    StatusSource,
    StatusUpdate,
    UpdateReminder,
)
from actions.models.status import MAX_COMMENTARY_LENGTH
from actions.permissions import EDIT_ANY_ACTION
from actions.services import StatusConflict, record_status


def is_plan_admin(user) -> bool:
    return user.is_active and user.has_perm(EDIT_ANY_ACTION)


class PlanAdminsOnly:
    """For models only plan admins look after in the admin (officers see their actions' history inline)."""

    def has_module_permission(self, request):
        return is_plan_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_plan_admin(request.user) and super().has_view_permission(request, obj)


class ReadOnlyAdmin(PlanAdminsOnly, admin.ModelAdmin):
    """Records written by the service itself (imports, status history, reminders): look, never touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------------------
# Actions


class ActionAdminForm(forms.ModelForm):
    """The action's own fields (plan admins only) plus a new status, compared with the one the page showed."""

    period = forms.ChoiceField(label="Reporting period", required=False)
    delivery_status = forms.ChoiceField(choices=[("", "---------"), *DeliveryStatus.choices], required=False)
    rag = forms.ChoiceField(label="RAG", choices=[("", "---------"), *RAG.choices], required=False)
    commentary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        required=False,
        max_length=MAX_COMMENTARY_LENGTH,
        help_text="Required if the RAG is amber or red, or if the delivery status changes.",
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)

    STATUS_FIELDS = ("period", "delivery_status", "rag", "commentary")
    today: date | None = None  # tests fix the date

    class Meta:
        model = Action
        fields = (
            "number",
            "text",
            "target_date_text",
            "leads",
            "service",
            "portfolio_holder",
            "partners",
            "merged_into",
            "wording_to_check",
        )
        widgets = {"wording_to_check": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(self.today)
        # Plan admins know the officers by name, not by their sign-in usernames.
        if "leads" in self.fields:  # officers see the form without the plan's own fields
            self.fields["leads"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        # The status block starts empty: saving the form records a status only when someone fills it in.
        # The update the page showed is still sent, so a status recorded meanwhile is not overwritten.
        self.fields["period"].choices = [("", "---------"), *self.fields["period"].choices]
        current = self.instance.current_update if self.instance.pk else None
        self.initial.update(
            {
                "period": "",
                "delivery_status": "",
                "rag": "",
                "commentary": "",
                "based_on": current.pk if current else None,
            }
        )
        self.based_on_update: StatusUpdate | None = None
        self.records_status = False

    def clean_based_on(self):
        if not self.instance.pk:
            return None
        self.based_on_update = based_on_update(self.instance, self.cleaned_data["based_on"])
        return self.cleaned_data["based_on"]

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in (*self.STATUS_FIELDS, "based_on")):
            return cleaned
        base = self.based_on_update
        # A status is recorded only when the block is filled in; saving the action's wording alone records nothing.
        self.records_status = any(cleaned.get(name, "").strip() for name in self.STATUS_FIELDS)
        if not self.records_status:
            return cleaned
        if not cleaned["period"]:
            self.add_error("period", "Select the reporting period this status is for.")
        if not cleaned["rag"]:
            self.add_error("rag", "Select a RAG status to record a new status.")
        if not cleaned["delivery_status"]:
            self.add_error("delivery_status", "Select a delivery status to record a new status.")
        # add_error takes a field out of cleaned_data, so the checks below read with .get().
        if cleaned.get("rag") and cleaned.get("delivery_status"):
            problem = commentary_problem(
                rag=cleaned["rag"],
                delivery_status=cleaned["delivery_status"],
                commentary=cleaned["commentary"],
                previous=base,
            )
            if problem:
                self.add_error("commentary", problem)
        if cleaned.get("period") and (closing := ReportingPeriod.objects.closing(cleaned["period"])):
            self.add_error("period", str(PeriodClosed(ReportingPeriod.objects.for_slug(cleaned["period"]), closing)))
            return cleaned
        if self.instance.pk:
            self._refuse_if_stale()
        return cleaned

    def _refuse_if_stale(self):
        # The admin saves in one transaction; locking the action here holds it until the save commits.
        current_id = (
            Action.objects.select_for_update().values_list("current_update_id", flat=True).get(pk=self.instance.pk)
        )
        if current_id != (self.based_on_update.pk if self.based_on_update else None):
            current = StatusUpdate.objects.with_details().get(pk=current_id) if current_id else None
            raise ValidationError(stale_explanation(current))


def stale_explanation(current: StatusUpdate | None) -> str:
    if current is None:
        return "The action's status history changed after you opened this page. Nothing was saved: reload the page."
    who = current.recorded_by.get_full_name() or current.recorded_by.get_username() if current.recorded_by else None
    commentary = Truncator(current.commentary).chars(300) or "none"
    return (
        f"Someone else recorded a status for this action after you opened this page: "
        f"{current.get_rag_display()}, {current.delivery_status_label.lower()}, for {current.period}, "
        f"by {who or 'the system'} on {timezone.localtime(current.recorded_at):%d %b %Y %H:%M}; "
        f"their commentary: {commentary}. "
        "Nothing was saved. Reload the page to start from their update (your entries here will be lost; "
        "copy them first), or leave it as it is."
    )


class StatusHistoryInline(admin.TabularInline):
    """The action's status updates, newest first. Never edited: a change is a new update."""

    model = StatusUpdate
    fk_name = "action"
    verbose_name = "status update"
    verbose_name_plural = "status history (newest first; read-only)"
    fields = ("period", "rag", "delivery_status", "commentary", "recorded_at", "recorded_by", "source")
    readonly_fields = fields
    ordering = ("-period", "-recorded_at", "-id")
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("period", "recorded_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionTargetInline(admin.TabularInline):
    model = ActionTarget
    extra = 0
    verbose_name = "target this action contributes to"
    verbose_name_plural = "targets this action contributes to"


class ActionFundingInline(admin.TabularInline):
    model = ActionFunding
    extra = 0


class ActionMilestoneInline(admin.TabularInline):
    model = ActionMilestone
    extra = 0


class ActionLinkInline(admin.TabularInline):
    model = ActionLink
    extra = 0
    verbose_name = "link to a committee decision or document"


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"
    today: date | None = None  # tests fix the date

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        on = self.today or timezone.localdate()
        overdue = Action.objects.with_position().overdue(on=on).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue)
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue)
        return queryset


class WordingToCheckFilter(admin.SimpleListFilter):
    title = "wording to be checked"
    parameter_name = "wording_to_check"

    def lookups(self, request, model_admin):
        return [("yes", "Wording to be checked"), ("no", "Wording checked")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(wording_to_check="")
        if self.value() == "no":
            return queryset.filter(wording_to_check="")
        return queryset


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    form = ActionAdminForm
    list_display = (
        "number",
        "summary",
        "current_rag",
        "current_delivery_status_label",
        "target_date_text",
        "lead_names",
    )
    list_display_links = ("number", "summary")
    list_filter = ("current_rag", "current_delivery_status", "targets", OverdueFilter, WordingToCheckFilter)
    actions = ("mark_wording_checked",)
    search_fields = ("number__exact", "text", "current_update__commentary")
    filter_horizontal = ("leads", "partners")
    ordering = ("number",)
    inlines = (ActionTargetInline, ActionFundingInline, ActionMilestoneInline, ActionLinkInline, StatusHistoryInline)
    ACTION_FIELDS = (
        "number",
        "text",
        "target_date_text",
        "leads",
        "service",
        "portfolio_holder",
        "partners",
        "merged_into",
        "wording_to_check",
    )
    fieldsets = (
        ("The action", {"fields": ACTION_FIELDS}),
        ("Current status", {"fields": ("current_rag", "current_delivery_status", "current_period")}),
        (
            "Record a status",
            {
                # Folded (a <details>) and empty until someone chooses to record one; Django opens it on an error.
                "classes": ("collapse",),
                "description": "Leave this empty to save the action without recording a status. To record "
                "one, choose the reporting period, delivery status and RAG, with commentary where needed.",
                "fields": ("period", "delivery_status", "rag", "commentary", "based_on"),
            },
        ),
    )

    @admin.action(description="Mark the wording as checked (clears the mark)", permissions=["plan"])
    def mark_wording_checked(self, request, queryset):
        # Plan admins only (has_plan_permission): officers may change an action they lead, but only its status.
        cleared = queryset.exclude(wording_to_check="").update(wording_to_check="")
        self.message_user(request, f"The wording of {cleared} action{'s' if cleared != 1 else ''} marked as checked.")

    def has_plan_permission(self, request):
        return is_plan_admin(request.user)

    @admin.display(description="action")
    def summary(self, action):
        return action.summary

    @admin.display(description="delivery status", ordering="current_delivery_status")
    def current_delivery_status_label(self, action):
        return action.current_delivery_status_label

    @admin.display(description="lead officers")
    def lead_names(self, action):
        return ", ".join(lead.get_full_name() or lead.get_username() for lead in action.leads.all())

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .editable_by(request.user)
            .select_related("current_update", "current_period")
            .prefetch_related("leads")
        )

    def get_readonly_fields(self, request, obj=None):
        current = ("current_rag", "current_delivery_status", "current_period")
        if is_plan_admin(request.user):
            return current
        return (*self.ACTION_FIELDS, *current)

    def has_change_permission(self, request, obj=None):
        # Officers hold no change_action permission: they may change an action they lead, and only its status.
        if super().has_change_permission(request, obj):
            return True
        if obj is None:
            return Action.objects.editable_by(request.user).exists()
        return Action.objects.editable_by(request.user).filter(pk=obj.pk).exists()

    def save_model(self, request, obj, form, change):
        if is_plan_admin(request.user):
            if change:
                # Only the action's own fields: the current-status copy may have moved since the page loaded.
                obj.save(
                    update_fields=[
                        *("number", "text", "target_date_text", "target_year", "merged_into"),
                        *("service", "portfolio_holder", "wording_to_check"),
                    ]
                )
            else:
                obj.save()
        if form.records_status:
            data = form.cleaned_data
            record_status(
                action=obj,
                period=ReportingPeriod.objects.for_slug(data["period"]),
                delivery_status=data["delivery_status"],
                rag=data["rag"],
                commentary=data["commentary"],
                recorded_by=request.user,
                source=StatusSource.ADMIN,
                expected_current=form.based_on_update,
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form refuses a stale status under the row lock; this is the last guard, and the
        # exception leaving the admin's transaction rolls back everything the change would have saved.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StatusConflict as conflict:
            self.message_user(request, stale_explanation(conflict.current), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except PeriodClosed as closed:  # closed between the form's check and the write
            self.message_user(request, f"Nothing was saved. {closed}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# ---------------------------------------------------------------------------
# Everything else: plan admins only


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyAdmin):
    list_display = (
        "action",
        "period",
        "rag",
        "delivery_status",
        "recorded_at",
        "recorded_by",
        "source",
        "review_state",
    )
    list_filter = ("period", "rag", "delivery_status", "source", "review_state")
    search_fields = ("action__number__exact", "commentary")
    list_select_related = ("action", "period", "recorded_by")
    date_hierarchy = "recorded_at"


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(PlanAdminsOnly, admin.ModelAdmin):
    list_display = ("slug", "label", "start", "end", "closed_at", "closed_by")
    fields = ("year", "quarter", "slug", "start", "end", "closed_at", "closed_by")

    def get_readonly_fields(self, request, obj=None):
        # The slug and dates follow from the financial year and quarter (ReportingPeriod.clean); closing and
        # reopening happen on the period's report page, where they are recorded with who and why.
        return ("slug", "start", "end", "closed_at", "closed_by") if obj is None else self.fields

    def has_delete_permission(self, request, obj=None):
        # A closed period has a report snapshot and a closing record: it is reopened on its report, not deleted.
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_closed)


@admin.register(PeriodEvent)
class PeriodEventAdmin(ReadOnlyAdmin):
    list_display = ("period", "kind", "by", "at", "reason")
    list_filter = ("kind", "period")
    list_select_related = ("period", "by")


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("period", "taken_at")
    fields = ("period", "taken_at")
    list_select_related = ("period",)


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = ("update", "decision", "decided_by", "decided_at", "note")
    list_filter = ("decision",)
    list_select_related = ("update__action", "update__period", "decided_by")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    # The counts in the order, and under the names, the preview, success message and history give them.
    list_display = (
        "file_name",
        "period",
        "imported_at",
        "imported_by",
        "actions_created",
        "changed",
        "confirmed",
        "unchanged",
        "missing",
        "skipped",
        "warnings",
        "undone_at",
    )
    list_filter = ("period",)
    list_select_related = ("period", "imported_by")


class RememberedChoiceForm(forms.ModelForm):
    class Meta:
        model = RememberedChoice
        fields = ("kind", "text", "meaning")


@admin.register(RememberedChoice)
class RememberedChoiceAdmin(PlanAdminsOnly, admin.ModelAdmin):
    """The mapping-step choices kept for future imports; plan admins correct or forget them here."""

    form = RememberedChoiceForm
    list_display = ("text", "kind", "meaning", "remembered_by", "remembered_at")
    list_filter = ("kind",)
    search_fields = ("text", "meaning")
    list_select_related = ("remembered_by",)

    def save_model(self, request, obj, form, change):
        obj.remembered_by = request.user
        obj.remembered_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(UpdateReminder)
class UpdateReminderAdmin(ReadOnlyAdmin):
    list_display = ("email", "recipient", "period", "sent_on", "sent_at", "forced")
    list_filter = ("sent_on", "period", "forced")
    list_select_related = ("recipient", "period")


# ---------------------------------------------------------------------------
# Users: plan admins give people roles (groups) and staff access, but cannot make superusers.

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PlanUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "role_names", "is_active", "is_staff")
    list_filter = ("groups", "is_active", "is_staff")

    @admin.display(description="roles")
    def role_names(self, user):
        return ", ".join(group.name for group in user.groups.all())

    def get_queryset(self, request):
        users = super().get_queryset(request).prefetch_related("groups")
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, "is_superuser", "user_permissions")


# ---------------------------------------------------------------------------
# Who answers for actions: services in directorates, portfolio holders, partners


@admin.register(Service)
class ServiceAdmin(PlanAdminsOnly, admin.ModelAdmin):
    list_display = ("name", "parent")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "parent__name")


@admin.register(PortfolioHolder)
class PortfolioHolderAdmin(PlanAdminsOnly, admin.ModelAdmin):
    list_display = ("name", "role")
    search_fields = ("name", "role")


@admin.register(Partner)
class PartnerAdmin(PlanAdminsOnly, admin.ModelAdmin):
    search_fields = ("name",)
