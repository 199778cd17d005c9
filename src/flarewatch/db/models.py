"""Imports every domain's models so that `Base.metadata` knows all tables (Alembic, tests)."""

from flarewatch.accounts.models import (  # noqa: F401
    ApiToken,
    AuditLog,
    Membership,
    RevokedSession,
    User,
)
from flarewatch.alerts.models import Alert, AlertDelivery, AlertEvent  # noqa: F401
from flarewatch.cases.followup import CaseFollowup
from flarewatch.cases.goals import CaseGoal  # noqa: F401
from flarewatch.cases.models import Case, CaseEvent, Task
from flarewatch.cases.postmortem.models import CaseReview
from flarewatch.cases.roles import CaseRole
from flarewatch.cases.routing import CaseRouting
from flarewatch.comms.advocates.models import AdvocateBriefing  # noqa: F401
from flarewatch.comms.approval_models import DraftApproval, DraftComment  # noqa: F401
from flarewatch.comms.contact.models import PrivateContact  # noqa: F401
from flarewatch.comms.models import Draft, DraftVersion, Publication  # noqa: F401
from flarewatch.comms.public_page.models import PublicEntry, PublicPage  # noqa: F401
from flarewatch.comms.publishing.models import (  # noqa: F401
    KillSwitch,
    KillSwitchEvent,
    PublicationAttempt,
)
from flarewatch.comms.replies.models import ReplyItem  # noqa: F401
from flarewatch.comms.stakeholders.models import StakeholderUpdate  # noqa: F401
from flarewatch.comms.templates.models import MessageTemplate  # noqa: F401
from flarewatch.detect.models import DetectorState  # noqa: F401
from flarewatch.digests.models import DigestRun  # noqa: F401
from flarewatch.mentions.models import (  # noqa: F401
    Author,
    Mention,
    RawPost,
    RescoreJob,
    Rollup,
    WorkspaceModel,
)
from flarewatch.oncall.models import EscalationStep, RotaChange  # noqa: F401
from flarewatch.playbooks.models import CasePlaybook, WorkspacePlaybook  # noqa: F401
from flarewatch.sources.models import (  # noqa: F401
    Source,
    SourceCredential,
    SourceHourCount,
    WebhookDelivery,
)
from flarewatch.workspaces.models import Topic, Workspace

__all__ = [
    "Alert",
    "AlertDelivery",
    "Author",
    "Case",
    "CaseEvent",
    "CaseFollowup",
    "CaseReview",
    "CaseRole",
    "CaseRouting",
    "EscalationStep",
    "Mention",
    "RawPost",
    "Rollup",
    "Source",
    "Task",
    "Topic",
    "Workspace",
]
