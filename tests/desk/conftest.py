from tests.desk.fixtures import (  # noqa: F401
    case,
    desk_admin,
    owner,
    staff_client,
    strong_case,
    support,
    support2,
)
