"""Who may do what with check tasks and records (registered in app.access).

``check.manage`` (obj: the enterprise id): define and deactivate tasks, import the calendar's years is
``check.calendar`` (admin). ``check.record`` (obj: the task): the assignee — the user named, or anyone
in the department named or below it. ``check.stats`` (obj: None): the figures — an enterprise's managers
and principal, the authorities (their region), admin; a member of staff sees his own windows only.
The tenancy scope is checked separately (a task of another enterprise is a 404, never a 403).
"""

from __future__ import annotations

from app import access
from app.auth.models import Role


@access.rule("check.manage")
def _manage(user, enterprise_id) -> bool:
    if user.role == Role.admin:
        return True
    return user.role == Role.enterprise_manager and (enterprise_id is None or user.enterprise_id == enterprise_id)


def is_assignee(user, task) -> bool:
    if not user.role.is_enterprise or user.enterprise_id != task.enterprise_id:
        return False
    if task.assignee_user_id is not None:
        return task.assignee_user_id == user.id
    dept = user.department
    if dept is None or task.assignee_department is None:
        return False
    return dept.id == task.assignee_department_id or dept.path.startswith(task.assignee_department.path)


@access.rule("check.record")
def _record(user, task) -> bool:
    if task is None:
        return user.role.is_enterprise
    return is_assignee(user, task)


@access.rule("check.stats")
def _stats(user, _obj) -> bool:
    return user.role in (Role.admin, Role.enterprise_manager, Role.enterprise_principal) \
        or user.role.is_government


@access.rule("check.calendar")
def _calendar(user, _obj) -> bool:
    return user.role == Role.admin
