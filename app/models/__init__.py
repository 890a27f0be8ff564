"""All models, imported so that metadata (and Alembic) sees every table."""
from app.models.accounts import (  # noqa: F401
    LoginSession,
    OidcIdentity,
    Role,
    SignInMethod,
    User,
    house_admins,
    house_staff,
)
from app.models.base import Base, utcnow
from app.models.deliveries import *  # noqa: F401,F403
from app.models.errors import *  # noqa: F401,F403
from app.models.houses import CommonArea, House, Room
from app.models.issues import *  # noqa: F401,F403
from app.models.limits import *  # noqa: F401,F403
from app.models.mail import *  # noqa: F401,F403
from app.models.mail_preferences import *  # noqa: F401,F403
from app.models.move_in import *  # noqa: F401,F403
from app.models.photos import *  # noqa: F401,F403
from app.models.residents import RoomMove  # noqa: F401
from app.models.staff_invitations import StaffInvitation  # noqa: F401
from app.models.tips import *  # noqa: F401,F403
from app.models.visits import *  # noqa: F401,F403
