"""Signing in to edit: the form (or the identity provider's button) the secrets
configure, and who is signed in now. The rules are ``dashboard.auth``'s."""
from __future__ import annotations

import streamlit as st

from .. import auth
from ..cache import app_store
from ..i18n import DEFAULT_LANG, t
from ..settings import read_secrets
from .text import md_escape


def signed_in_user(lang: str = DEFAULT_LANG) -> dict | None:
    """Shows the sign-in the secrets configure (or says the app is read-only) and
    returns ``{"name", "role", "may_restore"}`` once someone with a role has signed in.

    The role is read from the secrets as they are now, on every run: someone removed
    or downgraded loses the right with their next click, not when their session ends."""
    config = auth.configuration(*read_secrets())
    if config.problems:  # the details are in the server log, not for every visitor
        st.warning(t("edit.misconfigured", lang), icon=":material/warning:")
    if config.mode != "passwords":
        st.session_state.pop("signed_in", None)
    if config.mode == "oidc":
        return _oidc_user(config, lang)
    if config.mode == "none":
        if not config.problems:
            st.info(t("edit.read_only", lang), icon=":material/lock:")
        return None
    signed_in = st.session_state.get("signed_in")
    if signed_in:
        editor = auth.recheck(config, *signed_in)
        if editor is not None:
            role = t(f"edit.role.{editor.role}", lang)
            st.caption(t("edit.signed_in_as", lang, name=md_escape(editor.name), role=role))
            if st.button(t("edit.sign_out", lang), key="sign_out"):
                del st.session_state["signed_in"]
                st.rerun()
            return _user(editor.name, editor.role)
        del st.session_state["signed_in"]
        st.warning(t("edit.signed_out_changed", lang), icon=":material/logout:")
    with st.form("sign_in"):
        username = st.text_input(t("edit.username", lang))
        password = st.text_input(t("edit.password", lang), type="password")
        submitted = st.form_submit_button(t("edit.sign_in", lang))
    if submitted:
        address = _client_address()
        limiter = app_store().limiter()  # in the database when there is one: shared by every server
        wait = limiter.attempt(username, address)
        if wait > 0:
            st.error(t("edit.too_many", lang, seconds=int(wait) + 1))
            return None
        editor = auth.check_password(config, username, password)
        if editor is None:
            st.error(t("edit.wrong_password", lang))
            return None
        limiter.succeeded(username, address)
        st.session_state["signed_in"] = (editor.name, editor.stamp)
        st.rerun()
    return None


def _oidc_user(config: auth.Config, lang: str) -> dict | None:
    if not st.user.get("is_logged_in"):
        st.button(t("edit.sign_in_oidc", lang), on_click=st.login, icon=":material/login:")
        return None
    claims = {"email": st.user.get("email"), "email_verified": st.user.get("email_verified")}
    email = auth.verified_email(claims)
    role = auth.oidc_role(config, email)
    if email is None:
        shown = claims["email"] if isinstance(claims["email"], str) and claims["email"] else "—"
        st.warning(t("edit.unverified", lang, name=md_escape(shown)))
    elif role is None:
        st.warning(t("edit.no_role", lang, name=md_escape(email)))
    st.button(t("edit.sign_out", lang), on_click=st.logout)
    return None if email is None or role is None else _user(email, role)


def _client_address() -> str:
    # None for visitors on this machine (they share one address), and not a string
    # at all under AppTest (a mock of the connection).
    address = st.context.ip_address
    return address if isinstance(address, str) else "local"


def _user(name: str, role: str) -> dict:
    return {"name": name, "role": role, "may_restore": auth.may_restore(role)}
