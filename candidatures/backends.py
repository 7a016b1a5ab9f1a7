"""Authentication by e-mail address (case-insensitive), with a lock-out after repeated failures.

The counter lives in Django's cache (Redis in production, see settings), keyed on the address:
after LOGIN_FAILURES_LIMIT failures, every attempt for that address is refused for
LOGIN_LOCKOUT_SECONDS, whatever the password. It guards every log-in form (portal and admin)
and the test client alike, on any database.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from candidatures import services
from candidatures.selectors import connexion_verrouillee


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        identifiant = services.email_normalize(username)
        if connexion_verrouillee(identifiant=identifiant):
            # Stops here: no other backend is tried, and the password is not even checked.
            raise PermissionDenied
        user = User._default_manager.filter(username__iexact=identifiant).order_by("pk").first()
        if user is None:
            User().set_password(password)  # same time whether the account exists or not
        elif user.check_password(password) and self.user_can_authenticate(user):
            services.connexion_reussie_enregistrer(identifiant=identifiant)
            return user
        services.connexion_echec_enregistrer(identifiant=identifiant)
        return None
