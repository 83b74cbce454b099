"""Signing in and out of the web pages."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from matcher import db
from matcher.auth import local_target, sign_in, sign_out, signed_in_user
from matcher.web import bp
from vendors.access import authenticate_user

log = logging.getLogger(__name__)
MAX_FIELD = 320


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form; sign a user in with email and password."""
    target = local_target(request.values.get("next"))
    if request.method == "GET":
        if signed_in_user() is not None:
            return redirect(target or url_for("web.home"))
        return render_template("web/login.html", next=target, email="")
    email = request.form.get("email", "")[:MAX_FIELD]
    password = request.form.get("password", "")[:MAX_FIELD]
    user = authenticate_user(db.session(), email, password) if email and password else None
    if user is None:
        # The same answer for an unknown address and a wrong password.
        log.info("sign-in refused")
        html = render_template(
            "web/login.html", next=target, email=email, error="The email or password is wrong."
        )
        return html, 401
    sign_in(user)
    log.info("signed in: user %s", user.id)
    return redirect(target or url_for("web.home"))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the login session."""
    sign_out()
    flash("You are signed out.")
    return redirect(url_for("web.login"))
