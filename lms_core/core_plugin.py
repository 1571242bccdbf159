"""The core's own implementations of the plugin hooks: it uses the same surface as plugins."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from lms_core.accounts.models import Role
from lms_core.i18n import N_
from lms_core.plugins.hookspecs import hookimpl
from lms_core.plugins.types import NavEntry


@hookimpl
def truongso_models() -> list[ModuleType]:
    from lms_core.accounts import models as accounts
    from lms_core.assessment import models as assessment
    from lms_core.courses import models as courses
    from lms_core.gradebook import models as gradebook
    from lms_core.jobs import models as jobs
    from lms_core.org import models as org
    from lms_core.plugins import models as plugins
    from lms_core.progress import models as progress
    from lms_core.blended import models as blended
    from lms_core.reports import selfassessment_models as selfassessment
    from lms_core.reports import bundle_models

    return [org, accounts, plugins, jobs, courses, progress, gradebook, assessment, blended, selfassessment, bundle_models]


@hookimpl
def truongso_api_routers() -> list[Any]:
    from lms_core.accounts import api as accounts
    from lms_core.accounts import import_api, manage_api
    from lms_core.jobs import api as jobs
    from lms_core.org import api as org
    from lms_core.plugins import api as plugins

    from lms_core.org import admin_api as org_admin
    from lms_core.blended import api as blended_api
    from lms_core.blended import dashboard_api as blended_dashboard_api

    return [accounts.router, org.router, org_admin.router, import_api.router, manage_api.router, plugins.router, jobs.router,
            blended_api.router, blended_dashboard_api.router]


@hookimpl
def truongso_page_routers() -> list[Any]:
    from lms_core.accounts import import_pages, manage_pages
    from lms_core.accounts import pages as accounts
    from lms_core.assessment import bank_pages, exam_pages, sharing_pages
    from lms_core.assessment import quiz_pages
    from lms_core.courses import discussion_pages, live_pages
    from lms_core.courses import assignment_pages
    from lms_core.courses import pages as courses
    from lms_core.dashboard import pages as dashboard
    from lms_core.gradebook import class_pages as gradebook_classes
    from lms_core.gradebook import pages as gradebook
    from lms_core.jobs import pages as jobs
    from lms_core.org import pages as org
    from lms_core.plugins import pages as plugins
    from lms_core.web import health

    from lms_core.org import admin_pages as org_admin
    from lms_core.blended import pages as blended_pages
    from lms_core.blended import dashboard_pages as blended_dashboards
    from lms_core.reports import selfassessment_pages
    from lms_core.reports import bundle_pages
    from lms_core.reports import pages as report_pages

    return [accounts.router, dashboard.router, courses.router, org.router, org_admin.router, import_pages.router, manage_pages.router,
            plugins.router, jobs.router, health.router, gradebook_classes.router, gradebook.router, discussion_pages.router, live_pages.router,
            assignment_pages.router, exam_pages.router, sharing_pages.router, bank_pages.router, quiz_pages.router,
            blended_pages.router, blended_dashboards.router, selfassessment_pages.router, bundle_pages.router, report_pages.router]


@hookimpl
def truongso_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "web" / "templates"]


ADMIN = N_("Administration")
REPORTS = N_("Reports")  # plugins fold their report pages under the same msgid


@hookimpl
def truongso_navigation(user: Any, school_id: int | None) -> list[NavEntry]:
    entries = [NavEntry("dashboard", N_("Dashboard"), "/dashboard", 0)]
    admin = user.has_role(Role.school_admin) or user.has_role(Role.system_admin)
    if user.has_role(Role.teacher) or user.has_role(Role.student) or admin or user.has_role(Role.department_staff):
        entries.append(NavEntry("classes", N_("Classes"), "/classes", 10))
    if user.has_role(Role.teacher) or user.has_role(Role.student) or user.has_role(Role.school_admin):
        entries.append(NavEntry("courses", N_("Courses"), "/courses", 15))
    if user.has_role(Role.teacher) or user.has_role(Role.student):
        entries.append(NavEntry("gradebook", N_("Gradebook"), "/gradebook", 16))
    elif user.has_role(Role.school_admin):  # a principal reads the gradebooks: a report, not daily work
        entries.append(NavEntry("gradebook", N_("Gradebook"), "/gradebook", 60, REPORTS))
    if user.has_role(Role.teacher):
        entries.append(NavEntry("question_bank", N_("Question bank"), "/question-bank", 18))
    if user.has_role(Role.teacher):
        entries.append(NavEntry("plans", N_("Teaching plans"), "/plans", 17))
    elif user.has_role(Role.school_admin) or user.has_role(Role.department_staff):
        entries.append(NavEntry("plans", N_("Teaching plans"), "/plans", 62, REPORTS))
    if admin or user.has_role(Role.department_staff):
        entries.append(NavEntry("blended", N_("Blended learning"), "/blended", 20))
        entries.append(NavEntry("reports", N_("Reports to send upward"), "/reports", 63, REPORTS))
        entries.append(NavEntry("self_assessment", N_("Digital-transformation self-assessment"),
                                "/reports/self-assessment", 64, REPORTS))
        entries.append(NavEntry("report_bundles", N_("Report bundles"), "/reports/bundle", 66, REPORTS))
    if admin:
        entries.append(NavEntry("users", N_("Users"), "/admin/users", 70, ADMIN))
        entries.append(NavEntry("import", N_("Import users"), "/admin/import", 80, ADMIN))
    if user.has_role(Role.system_admin):
        entries.append(NavEntry("schools", N_("Schools"), "/admin/schools", 75, ADMIN))
    if user.has_role(Role.school_admin):
        entries.append(NavEntry("plugins", N_("Plugins"), "/admin/plugins", 85, ADMIN))
    if admin:
        entries.append(NavEntry("jobs", N_("Background jobs"), "/admin/jobs", 90, ADMIN))
    return entries


@hookimpl
def truongso_activity_types() -> list[Any]:
    from lms_core.courses.activity_types import core_types

    return core_types()


@hookimpl
def truongso_celery_tasks(celery_app: Any) -> list[str]:
    from lms_core.jobs import tasks

    return tasks.register(celery_app)


@hookimpl(trylast=True)  # after the content plugin's demo data (its courses are the evidence); see PluginHost.demo_data
def truongso_demo_data(db: Any, school: Any) -> dict[str, int]:
    from lms_core.blended import demo

    return demo.build(db=db, school=school)
