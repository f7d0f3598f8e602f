"""The requester's status page: state, timeline, queue, proofs, messages, withdraw."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from lifeline.core import ratelimit
from lifeline.recovery import conf, crypto, flows
from lifeline.recovery.evidence import evidence_for_requester, shown_to_requester
from lifeline.recovery.forms import (
    EmailCodeSendForm,
    EmailCodeVerifyForm,
    KnowledgeProofForm,
    PasswordProofForm,
    ReplyForm,
    RepositoryProofForm,
)
from lifeline.recovery.links import absolute, get_by_public_id
from lifeline.recovery.messages import recovery_message_post
from lifeline.recovery.models import RecoveryMessage, RecoveryProof, RecoveryRequest
from lifeline.recovery.proofs.common import ProofRefused
from lifeline.recovery.proofs.device import proof_device
from lifeline.recovery.proofs.email_code import (
    code_addresses,
    mask_email,
    proof_email_code_send,
    proof_email_code_verify,
)
from lifeline.recovery.proofs.knowledge import proof_knowledge
from lifeline.recovery.proofs.password import proof_password
from lifeline.recovery.proofs.repository import eligible_urls, proof_repository
from lifeline.recovery.requester.status import next_step, queue_info, timeline
from lifeline.recovery.requester.withdraw import recovery_withdraw
from lifeline.recovery.states import PROVING_STATES, IllegalTransition, State
from lifeline.recovery.transition import fire_timer
from lifeline.recovery.views.common import link_problem


@never_cache
@require_safe
def status_enter(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    """Check the emailed token, move it into the session, drop it from the URL."""
    request_obj = get_by_public_id(public_id)
    verified = request_obj.contact_verified_at if request_obj else None
    if request_obj is None or not crypto.status_token_matches(
        token, str(request_obj.public_id), verified.isoformat() if verified else ""
    ):
        return link_problem(request, "invalid", what="status")
    flows.remember_status_token(request, request_obj, token)
    return flows.no_referrer(redirect("recovery_status", public_id=request_obj.public_id))


def _commands(request_obj: RecoveryRequest) -> dict[str, str]:
    endpoint = absolute(reverse("recovery_token_proof"))
    challenge = request_obj.challenge
    curl = (
        f"curl --fail-with-body -u __token__ -d challenge={shlex.quote(challenge)} "
        f"{shlex.quote(endpoint)}"
    )
    python = (
        'python3 -c "import base64,getpass,urllib.request as u;'
        "t=getpass.getpass('API token: ');"
        f"r=u.Request('{endpoint}',data=b'challenge={challenge}',headers={{'Authorization':"
        "'Basic '+base64.b64encode(('__token__:'+t).encode()).decode()});"
        'print(u.urlopen(r).read().decode())"'
    )
    return {"endpoint": endpoint, "curl": curl, "python": python}


def _forms(request_obj: RecoveryRequest, bound: dict[str, Form] | None = None) -> dict[str, Any]:
    addresses = code_addresses(request_obj)
    masked = [mask_email(a) for a in addresses]
    forms: dict[str, Any] = {
        "reply_form": ReplyForm(),
        "repository_form": RepositoryProofForm(),
        "password_form": PasswordProofForm(),
        "code_send_form": EmailCodeSendForm(addresses=masked),
        "code_verify_form": EmailCodeVerifyForm(),
        "knowledge_form": KnowledgeProofForm(),
    }
    forms.update(bound or {})
    return forms


def _context(request: HttpRequest, request_obj: RecoveryRequest) -> dict[str, Any]:
    # Vouches stay out of the requester's sight entirely (evidence.HIDDEN_FROM_REQUESTER).
    proofs = [p for p in request_obj.proofs.all() if shown_to_requester(p)]
    done = {p.method for p in proofs if p.ok}
    return {
        "request_obj": request_obj,
        "evidence": evidence_for_requester(request_obj),
        "queue": queue_info(request_obj),
        "timeline": timeline(request_obj),
        "next_step": next_step(request_obj),
        "proofs": proofs,
        "done_methods": done,
        "checking": any(p.pending for p in proofs),
        "can_prove": request_obj.state in PROVING_STATES,
        "can_withdraw": request_obj.state
        in (State.SUBMITTED, State.OPEN, State.NEEDS_INFO, State.APPROVED),
        "thread": request_obj.messages.filter(kind=RecoveryMessage.Kind.MESSAGE),
        "eligible_urls": eligible_urls(request_obj),
        "commands": _commands(request_obj),
        "pending_code": request_obj.email_codes.filter(used_at__isnull=True).first(),
        "methods": RecoveryProof.Method,
    }


def _handle_reply(request_obj: RecoveryRequest, form: ReplyForm, request: HttpRequest) -> str:
    recovery_message_post(
        request_obj=request_obj,
        body=form.cleaned_data["body"],
        author_kind=RecoveryMessage.AuthorKind.REQUESTER,
    )
    return "Your message was sent to support."


def _handle_repository(request_obj, form, request) -> str:
    proof = proof_repository(request_obj=request_obj, url=form.cleaned_data["url"])
    if proof.pending:
        return (
            "We are checking the file now; it takes a few seconds. Refresh this page to see "
            "the result."
        )
    return _say(proof)


def _handle_password(request_obj, form, request) -> str:
    proof = proof_password(
        request_obj=request_obj,
        password=form.cleaned_data["password"],
        ip=flows.client_ip(request),
    )
    return _say(proof)


def _handle_code_send(request_obj, form, request) -> str:
    challenge = proof_email_code_send(request_obj=request_obj, index=form.cleaned_data["address"])
    masked = mask_email(challenge.email)
    minutes = conf.get("LIFELINE_RECOVERY_EMAIL_CODE_MINUTES")
    return f"We sent a code to {masked}. It is valid for {minutes} minutes."


def _handle_code_verify(request_obj, form, request) -> str:
    return _say(proof_email_code_verify(request_obj=request_obj, code=form.cleaned_data["code"]))


def _handle_knowledge(request_obj, form, request) -> str:
    data = form.cleaned_data
    proof = proof_knowledge(
        request_obj=request_obj,
        projects=KnowledgeProofForm.split(data.get("projects", "")),
        first_upload_year=data.get("first_upload_year"),
        old_emails=KnowledgeProofForm.split(data.get("old_emails", "")),
    )
    return "Thank you: your answers were recorded for the reviewer (weak evidence). " + proof.reason


def _handle_withdraw(request_obj, form, request) -> str:
    recovery_withdraw(request_obj=request_obj)
    return "You withdrew your request."


def _say(proof: RecoveryProof) -> str:
    verdict = "Proof succeeded" if proof.ok else "Proof failed"
    return f"{verdict}: {proof.shown_reason}"


ACTIONS: dict[str, tuple[str, Callable[..., Form] | None, Callable[..., str]]] = {
    "reply": ("reply_form", ReplyForm, _handle_reply),
    "repository": ("repository_form", RepositoryProofForm, _handle_repository),
    "password": ("password_form", PasswordProofForm, _handle_password),
    "code_send": ("code_send_form", None, _handle_code_send),
    "code_verify": ("code_verify_form", EmailCodeVerifyForm, _handle_code_verify),
    "knowledge": ("knowledge_form", KnowledgeProofForm, _handle_knowledge),
    "withdraw": ("", None, _handle_withdraw),
}


@flows.no_referrer_csrf_protect
@never_cache
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "HEAD", "POST"])
def status_page(request: HttpRequest, public_id: str) -> HttpResponse:
    request_obj = get_by_public_id(public_id)
    if request_obj is None or not flows.status_token_valid(request, request_obj):
        return link_problem(request, "no_session", what="status")
    spec = conf.rate_limit("status_ip")
    # Withdrawing one's own request is never rate-limited away: the status token in the
    # session already proves who is asking (docs/recovery.md, "Nobody can block the owner").
    withdrawing = request.method == "POST" and request.POST.get("action") == "withdraw"
    ip = flows.client_ip(request) or ""
    if not withdrawing and not ratelimit.check("recovery:status", ip, spec).allowed:
        return link_problem(request, "rate_limited", request_obj, what="status")
    # A stopped worker must not strand a case: opening the status page fires its timer.
    if fire_timer(request_obj):
        request_obj.refresh_from_db()
    device_key = flows.device_key_from(request)
    if device_key:
        proof_device(request_obj=request_obj, device_key=device_key)
    bound: dict[str, Form] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, "Unknown action.")
            return redirect("recovery_status", public_id=request_obj.public_id)
        form_name, form_class, handler = ACTIONS[action]
        if action == "code_send":
            addresses = code_addresses(request_obj)
            form = EmailCodeSendForm(request.POST, addresses=[mask_email(a) for a in addresses])
        else:
            form = form_class(request.POST) if form_class else None
        if form is None or form.is_valid():
            try:
                text = handler(request_obj, form, request)
            except ProofRefused as refused:
                messages.error(request, refused.message)
            except IllegalTransition:
                messages.error(request, "That is not possible in the request's current state.")
            else:
                level = messages.SUCCESS
                if text.startswith("Proof failed"):
                    level = messages.ERROR
                messages.add_message(request, level, text)
            return redirect("recovery_status", public_id=request_obj.public_id)
        bound[form_name] = form
        status = 400
    request_obj.refresh_from_db()
    context = _context(request, request_obj) | _forms(request_obj, bound)
    context["code_minutes"] = conf.get("LIFELINE_RECOVERY_EMAIL_CODE_MINUTES")
    return flows.no_referrer(render(request, "recovery/status.html", context, status=status))
