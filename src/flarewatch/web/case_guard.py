"""A case named in the URL that is not the workspace's is not found before the request body is
read: a 422 for the body must never be the answer that tells another workspace's case id apart
(tests/web/test_cross_workspace.py). Routers with `{case_id}` in every path add it as a
dependency."""

from __future__ import annotations

from fastapi import Depends
from sqlalchemy.orm import Session

from flarewatch.cases.service import get_case
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import CaseId


def case_in_path(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> None:
    get_case(db, case_id, workspace_id=access.workspace.id)
