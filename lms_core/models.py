"""Import every ORM module of the core so the shared metadata knows all tables."""

from lms_core.accounts import models as accounts_models  # noqa: F401
from lms_core.assessment import models as assessment_models  # noqa: F401
from lms_core.courses import models as courses_models  # noqa: F401
from lms_core.gradebook import models as gradebook_models  # noqa: F401
from lms_core.jobs import models as jobs_models  # noqa: F401
from lms_core.org import models as org_models  # noqa: F401
from lms_core.plugins import models as plugins_models  # noqa: F401
from lms_core.progress import models as progress_models  # noqa: F401
