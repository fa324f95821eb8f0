from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.i18n import set_language

from luodi.accounts import two_factor
from luodi.accounts.models import User, language_codes


class LuodiLoginView(LoginView):
    # Django's AuthenticationForm answers one message for an unknown user and a wrong
    # password alike, so the page never confirms that an account exists.
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if isinstance(user, User) and two_factor.has_device(user):
            # The password was right; nothing is signed in until the code is too.
            two_factor.begin(
                self.request,
                user,
                backend=getattr(user, "backend", ""),  # set by authenticate()
                next_url=self.get_success_url(),
            )
            return redirect("login-code")
        response = super().form_valid(form)
        if isinstance(user, User) and user.language:
            # A new browser has no language cookie: sign-in restores the user's choice.
            set_language_cookie(response, user.language)
        return response


def set_language_cookie(response: HttpResponse, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # a str setting
    )


def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, which also remembers the choice on a signed-in user (so mails
    and reports follow it)."""
    response = set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if (
        request.method == "POST"
        and code in language_codes()
        and isinstance(user, User)
        and user.language != code
    ):
        user.language = code
        user.save(update_fields=["language"])
    return response
