"""Authentication by e-mail address (case-insensitive), with failures counted per account *and*
client address (candidatures.services.connexion_echec_enregistrer).

An attacker who guesses passwords blocks only himself: the pair (account, his address) waits a
delay that doubles with each failure, and his address alone has a ceiling of failures per hour.
The account's owner, from another address, logs in with the right password. The counters live
in the database, shared by every application server; the client address is
`cites.views.client_address` (REMOTE_ADDR unless TRUSTED_PROXIES is set). It guards every log-in
form (portal and admin) and the test client alike.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from candidatures import services
from candidatures.selectors import connexion_blocage
from cites.views import client_address


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        identifiant = services.email_normalize(username)
        adresse = client_address(request) if request is not None else ""
        attente = connexion_blocage(identifiant=identifiant, adresse=adresse)
        if attente:
            if request is not None:
                request.connexion_attente = attente  # the log-in forms say how long
            # Stops here: no other backend is tried, and the password is not even checked.
            raise PermissionDenied
        user = User._default_manager.filter(username__iexact=identifiant).order_by("pk").first()
        if user is None:
            User().set_password(password)  # same time whether the account exists or not
        elif user.check_password(password) and self.user_can_authenticate(user):
            services.connexion_reussie_enregistrer(identifiant=identifiant, adresse=adresse)
            return user
        services.connexion_echec_enregistrer(identifiant=identifiant, adresse=adresse)
        return None
