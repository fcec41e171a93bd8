"""One entry point for every command: ``handle(ports, actor, command, key)`` -> ``Outcome``.

``HANDLERS`` maps each command class of ``service/application/commands.py`` to the function that
carries it out; the handlers live with their subdomain (``circulation``, ``readers``, ...)
and all write through ``execute.run``: one retry policy, one unit of work per attempt.
Commands on tables outside the log (kiosk accounts) answer an ``Outcome`` too, at
position 0 (nothing was appended).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from service.application import (
    campaigns,
    catalogue,
    circulation,
    classes,
    engagement,
    erasure,
    feedback,
    guardians,
    hold_expiry,
    kiosks,
    managed_lists,
    notice_settings,
    notices,
    payments,
    readers,
    report_settings,
    self_service,
    settings,
    staff,
)
from service.application import commands as c
from service.application.context import Actor, Ports
from service.application.execute import Outcome
from service.application.relationships import lapse_data, recommendations, segments

C = TypeVar("C")
Handler = Callable[[Ports, Actor, Any, "str | None"], Outcome]


def _answer(result: dict[str, Any], position: int = 0) -> Outcome:
    return Outcome(result, position)


def _renew_all(p: Ports, a: Actor, cmd: c.RenewAll, key: str | None) -> Outcome:
    result = circulation.renew_all(p, a, cmd.reader_id, key)
    return Outcome(result, int(result["position"]))


def _expire_due(p: Ports, a: Actor, cmd: c.ExpireDueHolds, key: str | None) -> Outcome:
    result = hold_expiry.expire_due_holds(p, a)
    return Outcome(result, int(result["position"]))


def _reserve_list(p: Ports, a: Actor, cmd: c.ReserveReadingList, key: str | None) -> Outcome:
    result = classes.reserve_reading_list(p, a, cmd.class_id, cmd.pickup_branch, key)
    return Outcome(result, int(result["position"]))


def _recorded(done: bool) -> Outcome:
    return Outcome({"recorded": done}, 0)


HANDLERS: dict[type, Handler] = {
    # circulation
    c.CheckOut: lambda p, a, cmd, key: circulation.check_out(
        p, a, cmd.card_number, cmd.barcode, cmd.branch, key, cmd.override_reason),
    c.CheckIn: lambda p, a, cmd, key: circulation.check_in(p, a, cmd.barcode, cmd.branch, key,
                                                           cmd.returned_at),
    c.Renew: lambda p, a, cmd, key: circulation.renew(p, a, cmd.barcode, key, cmd.only_reader,
                                                      cmd.override_reason),
    c.RenewAll: _renew_all,
    c.MarkLost: lambda p, a, cmd, key: circulation.mark_lost(p, a, cmd.barcode, key),
    c.PlaceHold: lambda p, a, cmd, key: circulation.place_hold(
        p, a, cmd.reader_id, cmd.title_id, cmd.pickup_branch, key, cmd.enumeration),
    c.CancelHold: lambda p, a, cmd, key: circulation.cancel_hold(
        p, a, cmd.hold_id, cmd.reason, key, only_reader=cmd.only_reader),
    c.ExpireHold: lambda p, a, cmd, key: circulation.expire_hold(p, a, cmd.hold_id),
    c.ExpireDueHolds: _expire_due,
    # readers
    c.RegisterReader: readers.register_reader,
    c.UpdateReader: lambda p, a, cmd, key: readers.update_reader(
        p, a, cmd.reader_id, cmd.changes(), key, pin=cmd.pin),
    c.ChangeCategory: lambda p, a, cmd, key: readers.change_category(
        p, a, cmd.reader_id, cmd.category, key),
    c.BlockReader: lambda p, a, cmd, key: readers.block_reader(
        p, a, cmd.reader_id, cmd.reason, key),
    c.UnblockReader: lambda p, a, cmd, key: readers.unblock_reader(
        p, a, cmd.reader_id, cmd.note, key),
    c.SetPreferences: lambda p, a, cmd, key: readers.set_preferences(
        p, a, cmd.reader_id, key, language=cmd.language, notice_channels=cmd.notice_channels,
        keep_history=cmd.keep_history, digest=cmd.digest,
        marketing=cmd.marketing),
    c.EraseReader: lambda p, a, cmd, key: erasure.erase_reader(
        p, a, cmd.reader_id, cmd.reason, cmd.force, key),
    # catalogue
    c.CatalogueTitle: catalogue.catalogue_title,
    c.UpdateTitle: lambda p, a, cmd, key: catalogue.update_title(
        p, a, cmd.title_id, dict(cmd.changes), key),
    c.AddCopy: catalogue.add_copy,
    c.WithdrawCopy: lambda p, a, cmd, key: catalogue.withdraw_copy(
        p, a, cmd.barcode, cmd.reason, key),
    # fines
    c.PayFines: lambda p, a, cmd, key: payments.pay_fines(
        p, a, cmd.reader_id, cmd.amount_fen, cmd.method, key),
    c.WaiveFine: lambda p, a, cmd, key: payments.waive_fine(
        p, a, cmd.reader_id, cmd.fine_id, cmd.amount_fen, cmd.reason, key),
    # feedback
    c.SubmitFeedback: lambda p, a, cmd, key: feedback.submit_feedback(
        p, a, cmd.reader_id, cmd.category, cmd.text, cmd.rating, cmd.title_id, key),
    c.AnswerFeedback: lambda p, a, cmd, key: feedback.answer_feedback(
        p, a, cmd.feedback_id, cmd.answer, cmd.close, key),
    c.CloseFeedback: lambda p, a, cmd, key: feedback.close_feedback(p, a, cmd.feedback_id, key),
    c.SuggestPurchase: lambda p, a, cmd, key: feedback.suggest_purchase(
        p, a, cmd.reader_id, cmd.title, cmd.author, cmd.isbn, cmd.reason, key),
    c.DecideSuggestion: lambda p, a, cmd, key: feedback.decide_suggestion(
        p, a, cmd.suggestion_id, cmd.decision, cmd.reason, key),
    # library activities and reader surveys
    c.PublishActivity: lambda p, a, cmd, key: engagement.publish_activity(
        p, a, cmd.kind, cmd.title_zh, cmd.title_en, cmd.description_zh, cmd.description_en,
        cmd.branch, cmd.starts_at, cmd.ends_at, cmd.capacity, cmd.audience_category, key),
    c.SignUpForActivity: lambda p, a, cmd, key: engagement.sign_up(
        p, a, cmd.activity_id, cmd.reader_id, key),
    c.CancelActivitySignUp: lambda p, a, cmd, key: engagement.cancel_sign_up(
        p, a, cmd.activity_id, cmd.reader_id, key),
    c.MarkActivityAttendance: lambda p, a, cmd, key: engagement.mark_attendance(
        p, a, cmd.activity_id, cmd.card_number, key),
    c.CreateSurvey: lambda p, a, cmd, key: engagement.create_survey(
        p, a, cmd.title_zh, cmd.title_en, cmd.questions, cmd.anonymous, cmd.audience_category,
        key),
    c.PublishSurvey: lambda p, a, cmd, key: engagement.publish_survey(p, a, cmd.survey_id, key),
    c.CloseSurvey: lambda p, a, cmd, key: engagement.close_survey(p, a, cmd.survey_id, key),
    c.AnswerSurvey: lambda p, a, cmd, key: engagement.answer_survey(
        p, a, cmd.survey_id, cmd.reader_id, dict(cmd.answers), key),
    # library configuration
    c.ChangePolicy: lambda p, a, cmd, key: settings.change_policy(p, a, dict(cmd.matrix), key),
    c.ChangeCalendar: lambda p, a, cmd, key: settings.change_calendar(
        p, a, cmd.branch, dict(cmd.calendar), key),
    c.ChangeReportSettings: lambda p, a, cmd, key: report_settings.change_report_settings(
        p, a, dict(cmd.settings), key),
    c.ChangeNoticeTemplate: lambda p, a, cmd, key: notices.change_template(
        p, a, cmd.kind, cmd.lang, cmd.part, cmd.source, key),
    # campaigns
    c.CreateCampaign: lambda p, a, cmd, key: campaigns.create_campaign(
        p, a, key, name=cmd.name, audience=cmd.audience, template=cmd.template,
        message=cmd.message, holdout_pct=cmd.holdout_pct, send_at=cmd.send_at,
        survey_id=cmd.survey_id),
    c.LaunchCampaign: lambda p, a, cmd, key: campaigns.launch_campaign(
        p, a, cmd.campaign_id, key, cmd.seed, cmd.readers),
    # notices
    c.ScheduleNotice: lambda p, a, cmd, key: _recorded(notices.schedule_notice(
        p, a, cmd.key, cmd.reader_id, cmd.kind, dict(cmd.data), cmd.day, cmd.item_keys)),
    c.RecordNoticeSent: lambda p, a, cmd, key: _recorded(notices.record_sent(
        p, a, cmd.key, cmd.reader_id, cmd.kind, cmd.channel, cmd.message_id, cmd.subject,
        cmd.sent_at)),
    c.RecordNoticeFailed: lambda p, a, cmd, key: _recorded(notices.record_failed(
        p, a, cmd.key, cmd.reader_id, cmd.kind, cmd.channel, cmd.reason, cmd.failed_at,
        cmd.permanent)),
    c.RecordNoticeGaveUp: lambda p, a, cmd, key: _recorded(notices.record_gave_up(
        p, a, cmd.key, cmd.reader_id, cmd.kind, cmd.channel, cmd.reason, cmd.attempts, cmd.at)),
    c.RecordNoticeCancelled: lambda p, a, cmd, key: _recorded(notices.record_cancelled(
        p, a, cmd.key, cmd.reader_id, cmd.kind, cmd.reason, cmd.at)),
    c.ResendNotice: lambda p, a, cmd, key: notices.resend_notice(p, a, dict(cmd.notice), key),
    # families and schools
    c.LinkGuardian: lambda p, a, cmd, key: guardians.link_guardian(
        p, a, cmd.child_id, cmd.guardian_id, cmd.via, key),
    c.UnlinkGuardian: lambda p, a, cmd, key: guardians.unlink_guardian(
        p, a, cmd.child_id, cmd.guardian_id, key),
    c.CreateClass: lambda p, a, cmd, key: classes.create_class(
        p, a, cmd.class_id, cmd.name, cmd.school, cmd.card_number, cmd.teacher, key),
    c.SetClassPupils: lambda p, a, cmd, key: classes.set_pupils(
        p, a, cmd.class_id, tuple(cmd.card_numbers), key),
    c.SetReadingList: lambda p, a, cmd, key: classes.set_reading_list(
        p, a, cmd.class_id, tuple(cmd.title_ids), cmd.name, key),
    c.ReserveReadingList: _reserve_list,
    # staff and kiosk accounts
    c.CreateStaffAccount: lambda p, a, cmd, key: _answer(staff.create_staff_account(
        p, a, cmd.username, cmd.password, cmd.role, cmd.display_name)),
    c.SetStaffActive: lambda p, a, cmd, key: _answer(staff.set_active(
        p, a, cmd.username, cmd.active)),
    c.ResetStaffPassword: lambda p, a, cmd, key: _answer(staff.reset_password(
        p, a, cmd.username, cmd.password)),
    c.ChangeStaffRole: lambda p, a, cmd, key: _answer(staff.change_role(
        p, a, cmd.username, cmd.role)),
    c.CreateKiosk: lambda p, a, cmd, key: _answer(kiosks.create_kiosk(
        p.engine, kiosk_id=cmd.kiosk_id, login_user=cmd.login_user, password=cmd.password,
        institution_id=cmd.institution_id, location=cmd.location, now=p.clock(),
        charset=cmd.charset, language=cmd.language)),
    c.DeactivateKiosk: lambda p, a, cmd, key: _answer(kiosks.deactivate_kiosk(
        p.engine, cmd.kiosk_id)),
    # library configuration
    c.DefineListEntry: lambda p, a, cmd, key: managed_lists.define_entry(
        p, a, cmd.kind, cmd.code, cmd.name_zh, cmd.name_en, tuple(cmd.clc_prefixes), key),
    c.RetireListEntry: lambda p, a, cmd, key: managed_lists.retire_entry(
        p, a, cmd.kind, cmd.code, key),
    c.ChangeSelfService: lambda p, a, cmd, key: self_service.change_self_service(
        p, a, cmd.branch, cmd.portal_checkout, key),
    c.PortalCheckOut: lambda p, a, cmd, key: self_service.portal_check_out(
        p, a, cmd.reader_id, cmd.barcode, key),
    c.SetNoticeSettings: lambda p, a, cmd, key: notice_settings.set_notice_settings(
        p, a, cmd.reader_id, list(cmd.muted_kinds), cmd.quiet_start, cmd.quiet_end, key),
    # reader relationships (nightly; each run is once per date or per evaluation)
    c.RefreshSegments: lambda p, a, cmd, key: segments.refresh_segments(
        p, a, cmd.as_of, cmd.window_days or segments.WINDOW_DAYS),
    c.ChooseLapseModel: lambda p, a, cmd, key: lapse_data.choose_lapse_model(
        p, a, cmd.horizon_days),
    c.RefreshRecommendations: lambda p, a, cmd, key: recommendations.refresh_recommendations(
        p, a, cmd.as_of),
}


def handle(ports: Ports, actor: Actor, command: object, key: str | None = None) -> Outcome:
    """Carry out one command for ``actor``; ``key`` is the request's idempotency key."""
    handler = HANDLERS.get(type(command))
    if handler is None:
        raise TypeError(f"no handler for {type(command).__name__}")
    return handler(ports, actor, command, key)
