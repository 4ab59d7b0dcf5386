"""Web pages: the documents list, a document's page, its PDF, voiding, and the public verification."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access, forms, storage, ui
from app.clock import LOCAL_TZ
from app.documents import service, serving
from app.documents.forms import FilterForm, NoticeForm, ServiceForm, VoidForm
from app.documents.models import Document, DocumentKind, document_hazards
from app.documents.queries import documents_query
from app.errors import NotFound
from app.extensions import db, limiter
from app.hazards.models import Hazard
from app.paging import paginate

bp = Blueprint("documents", __name__)
PER_PAGE = 30


@bp.route("/documents/")
@login_required
def index():
    form = FilterForm(request.args)
    filters = {"kind": form.kind.data, "status": form.status.data, "q": form.q.data} if form.validate() else {}
    page = paginate(documents_query(current_user, **filters), request.args.get("page", 1, type=int), PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("documents/index.html", documents=page.items, form=form, page=page.page,
                           pages=page.pages, total=page.total, args=args)


def _detail(document: Document, void_form: VoidForm, status: int = 200, service_form: ServiceForm | None = None):
    return render_template("documents/detail.html", document=document, void_form=void_form,
                           service_form=service_form or ServiceForm(), served=document.service,
                           periods=serving.statutory_periods(document),
                           rights=document.kind.value in serving.RIGHTS_KINDS), status


def _local_to_utc(value):
    """A datetime-local input is China time; the service takes aware datetimes."""
    return value.replace(tzinfo=LOCAL_TZ) if value is not None else None


@bp.route("/documents/<int:document_id>/service", methods=["POST"])
@login_required
def serve(document_id: int):
    """Record the service (送达) of the document with the receipt's scan: the API's use case."""

    document = access.get_visible(Document, document_id, current_user)
    access.require(current_user, "document.serve", document)
    form = ServiceForm()
    if not form.validate_on_submit():
        return _detail(document, VoidForm(), 422, form)
    upload = form.receipt.data
    receipt = (upload.filename or "receipt", upload.read()) if upload else None
    done = ui.attempt(lambda: serving.serve(
        current_user, document.id, method=form.method.data or "", served_at=_local_to_utc(form.served_at.data),
        received_by=form.received_by.data or "", consent_on=_local_to_utc(form.consent_on.data),
        address=form.address.data or "", receipt=receipt), form)
    if not done.ok:
        return _detail(access.get_visible(Document, document_id, current_user), VoidForm(), done.status, form)
    flash(_("The service of %(number)s is recorded; the periods run from it.", number=document.number), "success")
    return redirect(url_for("documents.detail", document_id=document.id))


@bp.route("/documents/<int:document_id>/receipt.pdf")
@login_required
def receipt(document_id: int):
    """The printable 文书送达回执 (the API's answer needs a token; a signed-in page needs this)."""

    response = Response(serving.receipt_pdf(current_user, document_id), mimetype="application/pdf")
    response.headers["Content-Disposition"] = "inline; filename*=UTF-8''receipt.pdf"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/documents/<int:document_id>/service/scan")
@login_required
def receipt_scan(document_id: int):
    """The scan of the signed receipt, as uploaded (its checked type)."""
    document = access.get_visible(Document, document_id, current_user)
    served = document.service
    if served is None or not served.receipt_sha256:
        raise NotFound()
    return storage.send(storage.load(served.receipt_sha256), mime=served.receipt_mime,
                        filename=served.receipt_filename or "receipt", inline=True)


@bp.route("/documents/<int:document_id>")
@login_required
def detail(document_id: int):
    document = access.get_visible(Document, document_id, current_user)
    return _detail(document, VoidForm())


@bp.route("/documents/<int:document_id>.pdf")
@login_required
def pdf(document_id: int):
    document = access.get_visible(Document, document_id, current_user)
    return pdf_response(document, as_attachment=request.args.get("download") == "1")


def pdf_response(document: Document, *, as_attachment: bool = False) -> Response:
    data = service.pdf_bytes(document)
    filename = f"{document.number}.pdf"
    response = Response(data, mimetype="application/pdf")
    disposition = "attachment" if as_attachment else "inline"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response.headers["X-Content-SHA256"] = document.pdf_sha256
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    response.set_etag(document.pdf_sha256)
    return response


@bp.route("/documents/<int:document_id>/void", methods=["POST"])
@login_required
def void(document_id: int):
    document = access.get_visible(Document, document_id, current_user)
    form = VoidForm()
    if not form.validate_on_submit():
        return _detail(document, form, 422)
    done = ui.attempt(lambda: service.void(current_user, document, form.reason.data), form)
    if not done.ok:
        return _detail(access.get_visible(Document, document_id, current_user), form, done.status)
    flash(_("The document %(number)s has been voided; its number stays used.", number=document.number), "success")
    return redirect(url_for("documents.detail", document_id=document.id))


def hazard_documents(hazard) -> list[Document]:
    """The documents of a hazard the current user may see, newest first (for the hazard page)."""
    stmt = (access.visible(Document, current_user)
            .join(document_hazards, document_hazards.c.document_id == Document.id)
            .where(document_hazards.c.hazard_id == hazard.id).order_by(Document.issued_at.desc()))
    return list(db.session.scalars(stmt))


@bp.route("/hazards/<int:hazard_id>/archive", methods=["POST"])
@login_required
def hazard_archive(hazard_id: int):
    """Print the hazard's archive (一患一档) as a new document and show it."""
    hazard = access.get_visible(Hazard, hazard_id, current_user)
    done = ui.attempt(lambda: service.issue(DocumentKind.hazard_archive, actor=current_user, context={},
                                            hazards=[hazard]))  # a refusal is flashed
    if not done.ok:
        return redirect(request.referrer or url_for("documents.index"))
    document = done.value
    if document.reused:
        flash(_("Nothing has changed since the archive %(number)s was printed; here it is again.",
                number=document.number), "info")
    return redirect(url_for("documents.detail", document_id=document.id))


def _put_notice_errors(form, exc) -> None:
    """The service may name a field by a dotted path (``context.recipient``): its first part is the input."""
    forms.apply_errors(form, exc, {name: name.split(".")[0] for name in exc.fields})


@bp.route("/documents/new/rectification-notice", methods=["GET", "POST"])
@login_required
def new_notice():
    """An enterprise manager's internal rectification notice for hazards of his enterprise."""
    # The form posts the ids it was opened with (query string) and its hidden fields (body): once each.
    ids = list(dict.fromkeys(request.values.getlist("hazard_ids", type=int)))[:50]
    hazards = [access.get_visible(Hazard, i, current_user) for i in ids]
    form = NoticeForm()
    if form.validate_on_submit():
        context = {"recipient": form.recipient.data or "", "requirements": form.requirements.data or "",
                   "contact_phone": form.contact_phone.data or ""}
        done = ui.attempt(lambda: service.issue(
            DocumentKind.rectification_notice, actor=current_user, context=context, hazards=hazards,
            enterprise=current_user.enterprise), form, place=_put_notice_errors)
        if not done.ok:
            return render_template("documents/new_notice.html", form=form, hazards=hazards), 422
        flash(_("Issued %(number)s.", number=done.value.number), "success")
        return redirect(url_for("documents.detail", document_id=done.value.id))
    status = 422 if request.method == "POST" else 200
    return render_template("documents/new_notice.html", form=form, hazards=hazards), status


# --- public verification (no login) ---------------------------------------------------------------

@bp.route("/verify/<path:token>")
@limiter.limit("60 per minute")
def verify(token: str):
    document = service.find_by_token(token)
    if document is None:
        return render_template("documents/verify.html", document=None), 404
    return render_template("documents/verify.html", document=document, current=service.current_standing(document),
                           fingerprint=service.fingerprint(document))

