from __future__ import annotations

from django.contrib.auth.views import LoginView


class LuodiLoginView(LoginView):
    # Django's AuthenticationForm answers one message for an unknown user and a wrong
    # password alike, so the page never confirms that an account exists.
    template_name = "registration/login.html"
    redirect_authenticated_user = True
